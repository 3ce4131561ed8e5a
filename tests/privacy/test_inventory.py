"""docs/privacy.md lists every model field that looks personal (issue 18, item 1)."""

from __future__ import annotations

from portal.privacy import inventory


def test_every_personal_looking_field_has_an_inventory_entry():
    documented = inventory.documented_fields()
    fields = inventory.model_fields()
    missing = inventory.unlisted_personal_fields(fields, documented)
    assert not missing, (
        "Add these fields to docs/privacy.md (the inventory, or 'Fields that look personal but "
        "are not'):\n" + "\n".join(missing)
    )
    assert not inventory.stale_entries(fields, documented)


def test_a_new_personal_field_without_an_entry_fails():
    documented = inventory.documented_fields()
    fields = [
        *inventory.model_fields(),
        "tipoffs.Tipoff.witness_phone",
        "disclosure.DisclosureRequest.date_of_birth",
        "surveys.Response.client_ip",
        "learning.PointsAccount.home_address",
        "portal.User.contact_email",
        "tipoffs.Tipoff.mobile",
    ]
    assert inventory.unlisted_personal_fields(fields, documented) == sorted(fields[-6:])


def test_fields_that_do_not_look_personal_are_not_flagged():
    for label in ("tipoffs.Tipoff.state", "surveys.Survey.title", "portal.User.is_active"):
        assert not inventory.looks_personal(label)


def test_the_parser_reads_table_rows_only():
    text = "| `tipoffs.Tipoff.address` | x |\nsee `tipoffs.Tipoff.description` in prose\n"
    assert inventory.documented_fields(text) == {"tipoffs.Tipoff.address"}
