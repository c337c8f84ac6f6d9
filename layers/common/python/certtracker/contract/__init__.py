"""The request and response models of the HTTP API (contract v1), one module per function."""
