"""The domain layer: what readers and moderators do, decided in one place, without Flask."""
