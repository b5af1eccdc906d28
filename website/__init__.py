"""The offline site shipped in every release: static pages and data files a person opens without SQL."""
