"""The auth matrix: every protected operation answers 401 without a key and 403 to a wrong role."""
from __future__ import annotations

import re

from incentives.access import ROLES

from .test_foundation import assert_problem

SAMPLE_ARGS = {"uscc": "91500112MA5U0AB192", "key_id": "nokey", "assessment_id": "none", "id": "none"}


def protected_operations(app):
    """(method, url, roles) for every view method guarded by `protect` with roles."""
    out = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        cls = getattr(view, "view_class", None)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            func = getattr(cls, method.lower(), None) if cls else view
            roles = getattr(func, "_gis_roles", ())
            if roles:
                url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: SAMPLE_ARGS.get(m.group(1), "x"), rule.rule)
                out.append((method, url, roles))
    return out


def test_every_protected_operation_refuses_no_key_then_a_wrong_role(app, client, key_for):
    operations = protected_operations(app)
    assert len(operations) >= 8
    for method, url, roles in operations:
        r = client.open(url, method=method)
        assert_problem(r, 401)
        wrong = next((role for role in ROLES[1:] if role not in roles and role != "admin"), None)
        if wrong is None:   # every key role may call it: only the 401 applies
            continue
        binding = {"uscc": SAMPLE_ARGS["uscc"]} if wrong == "enterprise" else \
            {"divisions": ["110000"]} if wrong in ("regulator", "tax_bureau") else {}
        r = client.open(url, method=method, headers=key_for(wrong, **binding))
        assert_problem(r, 403)


def test_a_keys_binding_is_the_one_its_role_needs(client, admin):
    """As the document states (POST /keys, oneOf by role): an enterprise key names its uscc and only it has
    one; a regulator's or tax bureau's names one or more divisions."""
    uscc = "91500112MA5U0AB192"
    for body, field in [({"role": "enterprise"}, "uscc"), ({"role": "regulator"}, "divisions"),
                        ({"role": "tax_bureau", "divisions": []}, "divisions"),
                        ({"role": "bank", "uscc": uscc}, "uscc"),
                        ({"role": "regulator", "divisions": ["500000"], "uscc": uscc}, "uscc")]:
        problem = assert_problem(client.post("/api/v1/keys", json=body, headers=admin), 422)
        assert [e["field"] for e in problem["errors"]] == [field], body
    for body in [{"role": "enterprise", "uscc": uscc}, {"role": "tax_bureau", "divisions": ["500000"]},
                 {"role": "bank"}, {"role": "admin", "uscc": None}]:
        assert client.post("/api/v1/keys", json=body, headers=admin).status_code == 201, body


def test_the_command_line_applies_the_same_binding_rules(database_url, monkeypatch):
    """`gis keys create` goes through the key service like POST /keys: a bank key with a uscc is refused."""
    from click.testing import CliRunner

    from api.cli import main
    monkeypatch.setenv("GIS_DATABASE_URL", database_url)
    runner = CliRunner()
    refused = runner.invoke(main, ["keys", "create", "--role", "bank", "--uscc", "91500112MA5U0AB192"])
    assert refused.exit_code == 2 and "only an enterprise key is bound to a uscc" in refused.output
    created = runner.invoke(main, ["keys", "create", "--role", "bank"])
    assert created.exit_code == 0 and "key: gis_" in created.output
