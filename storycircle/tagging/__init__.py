"""Tags: the one spelling of each tag, the recovery vocabulary, suggestions and the tag index."""
