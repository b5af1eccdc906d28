"""The portal registry (data/portals.yaml): portals are data, validated before any request is made."""
