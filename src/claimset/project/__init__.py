"""A team's own claimset project: ``claimset init`` scaffolding and the code fingerprints."""
