"""Through ``tinycrm`` run as a process (forked from the fork server) (issue 13): a
deleted contact's id names nobody else later, and a company domain names one company."""

from __future__ import annotations


def test_contact_show_never_shows_someone_new_under_an_old_id(forked) -> None:
    for name in ("Ada", "Bob"):
        assert forked("contact", "add", name).exit_code == 0
    assert forked("contact", "rm", "2").exit_code == 0
    added = forked("contact", "add", "Carl")
    assert added.stdout.startswith("Added contact #3 Carl"), added.stdout + added.stderr
    gone = forked("contact", "show", "2")
    assert gone.exit_code == 1
    assert "Carl" not in gone.stdout + gone.stderr


def test_company_add_refuses_a_domain_another_company_has(forked) -> None:
    assert forked("company", "add", "Acme GmbH", "--domain", "acme.de").exit_code == 0
    refused = forked("company", "add", "Acme Inc", "--domain", "ACME.DE")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: a company with domain acme.de already exists: Acme GmbH (#1)\n"
    )
    assert forked("company", "add", "Globex", "--domain", "globex.com").exit_code == 0
    edited = forked("company", "edit", "Globex", "--domain", "https://www.Acme.de/")
    assert (edited.exit_code, edited.stderr) == (1, refused.stderr)
    listed = forked("company", "list", "--json").json()
    assert [(c["name"], c["domain"]) for c in listed] == [
        ("Acme GmbH", "acme.de"),
        ("Globex", "globex.com"),
    ]
