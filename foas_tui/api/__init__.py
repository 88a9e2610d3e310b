"""The foas OpenAPI client: signing, operations, models and errors. Never imports Textual."""
