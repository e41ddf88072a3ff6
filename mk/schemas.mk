# The JSON Schemas of the core's documented JSON forms (docs/json-forms.md).
#
#   make schemas    regenerate docs/schemas/*.json after changing a record, error or request
#                   (crates/commbox/tests/schemas.rs checks them in `cargo test` and lists them)

.PHONY: schemas

schemas:
	COMMBOX_UPDATE_SCHEMAS=1 $(CARGO) test -p commbox --test schemas
