"""list_tokens over the SoftHSM test token (issue 11)."""
from __future__ import annotations

import json

from conftest import CN_ECP256, CN_RSA2048, TOKEN_LABEL, TOKEN_PIN, assert_report_matches_dict

KINDS = {"token", "private-key", "certificate"}


def test_list_tokens_without_login(lib, module):
    items = lib.list_tokens(module)
    assert isinstance(items, list) and items
    assert all(i.kind in KINDS for i in items)
    tokens = [i for i in items if i.kind == "token"]
    labels = [t.label for t in tokens]
    assert TOKEN_LABEL in labels and "libsign-empty" in labels, labels
    for item in items:
        assert isinstance(item.label, str)
        assert isinstance(item.uri, str) and item.uri.startswith("pkcs11:"), item.uri
        assert isinstance(item.details, str)
    test_token = next(t for t in tokens if t.label == TOKEN_LABEL)
    assert f"token={TOKEN_LABEL}" in test_token.uri
    # Certificates are public: listed without a PIN.
    assert len([i for i in items if i.kind == "certificate"]) >= 5


def test_list_tokens_with_pin_shows_private_keys_that_sign(lib, module, ctx, data):
    items = lib.list_tokens(module, token=TOKEN_LABEL, pin=TOKEN_PIN)
    tokens = [i for i in items if i.kind == "token"]
    assert [t.label for t in tokens] == [TOKEN_LABEL], "token= selects one token"
    keys = [i for i in items if i.kind == "private-key"]
    assert len(keys) == 3, [k.uri for k in keys]
    src = data / "pdf" / "corpus" / "gs-1.7.pdf"
    subjects = []
    for key in keys:
        assert "type=private" in key.uri, key.uri
        with lib.Signer.pkcs11(key.uri, pin=TOKEN_PIN, module=module) as s:
            r = ctx.verify(s.sign_pdf(src))
        assert r.status == "TOTAL-PASSED", (key.uri, r.text)
        assert_report_matches_dict(r)
        subjects.append(r.signatures[0].signer.subject)
    assert any(CN_RSA2048 in s for s in subjects)
    assert any(CN_ECP256 in s for s in subjects)


def test_list_tokens_pin_source(lib, module, monkeypatch):
    monkeypatch.setenv("LIBSIGN_PYTEST_PIN", TOKEN_PIN)
    items = lib.list_tokens(module=module, token=TOKEN_LABEL, pin_source="env:LIBSIGN_PYTEST_PIN")
    assert len([i for i in items if i.kind == "private-key"]) == 3


def test_list_tokens_empty_token_and_bad_module(lib, module):
    items = lib.list_tokens(module, token="libsign-empty", pin=TOKEN_PIN)
    assert [i.kind for i in items] == ["token"]
    try:
        lib.list_tokens("/nonexistent/libnope.so")
    except lib.TokenError as e:
        assert e.code == -6 and "/nonexistent/libnope.so" in e.message
    else:
        raise AssertionError("no TokenError for a missing module")


def test_list_tokens_matches_cli(lib, module, run_cli):
    """The same URIs as `libsign keys`."""
    items = lib.list_tokens(module, token=TOKEN_LABEL, pin=TOKEN_PIN)
    cli = run_cli("keys", "--json", "--module", module, "--token", TOKEN_LABEL,
                  "--pin-source", "env:LIBSIGN_PYTEST_PIN",
                  env_extra={"LIBSIGN_PYTEST_PIN": TOKEN_PIN})
    assert cli.returncode == 0, cli.stderr.decode()
    expected = [(d["kind"], d["label"], d["uri"], d["details"]) for d in json.loads(cli.stdout)]
    # The same entries; the order of a token's objects is the module's (SoftHSM's varies).
    got = [(i.kind, i.label, i.uri, i.details) for i in items]
    assert got[0] == expected[0] and sorted(got) == sorted(expected)


def test_listed_uri_names_its_module(lib, module, ctx, data):
    """A listed URI carries module-path: it opens without module=."""
    items = lib.list_tokens(module, token=TOKEN_LABEL, pin=TOKEN_PIN)
    key = next(i for i in items if i.kind == "private-key" and "id=%01" in i.uri)
    with lib.Signer.pkcs11(key.uri, pin=TOKEN_PIN) as s:
        r = ctx.verify(s.sign_pdf(data / "pdf" / "corpus" / "gs-1.7.pdf"))
    assert r.passed and CN_RSA2048 in r.signatures[0].signer.subject
