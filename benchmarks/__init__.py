"""The performance harness: one script per area, each comparing with a peer measured in the same run."""
