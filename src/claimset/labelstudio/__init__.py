"""Label Studio integration: task files, label configs, server management, push/pull."""
