"""meeting-server ca / sign / verify, end to end on files."""

from __future__ import annotations

import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from meeting_server import create_app
from signing.ca import InternalCA


@pytest.fixture
def cli(app_config, tmp_path, services, monkeypatch):
    app_config.update(CA_DIR=str(tmp_path / "ca"), PUBLIC_URL=services.base_url)
    monkeypatch.setenv("MEETING_CA_PASSPHRASE", "mat-khau-ca-rat-dai")
    monkeypatch.setenv("MEETING_SIGN_PIN", "135790")
    runner = create_app(app_config).test_cli_runner()

    def run(*args: str, expect: int = 0) -> str:
        result = runner.invoke(args=list(args))
        assert result.exit_code == expect, result.output
        return result.output

    return run


def test_issue_sign_verify_revoke(cli, tmp_path, services, make_pdf, monkeypatch):
    cli(
        "ca",
        "init",
        "--organisation",
        "Ủy ban nhân dân Thành phố Hòa Bình Xanh",
        "--key-type",
        "ec-p256",
    )
    services.ca = InternalCA.load(tmp_path / "ca", b"mat-khau-ca-rat-dai")
    issued = cli(
        "ca",
        "issue",
        "--name",
        "Trần Văn Minh",
        "--title",
        "Chủ tịch",
        "--out",
        str(tmp_path / "chutich"),
    )
    serial = re.search(r"serial ([0-9a-f]+)", issued).group(1)
    source, signed = tmp_path / "bien-ban.pdf", tmp_path / "bien-ban-da-ky.pdf"
    source.write_bytes(make_pdf(pages=3))
    tsa_root = tmp_path / "tsa-root.pem"
    tsa_root.write_bytes(services.tsa_root.public_bytes(Encoding.PEM))

    cli(
        "sign",
        str(source),
        "--key",
        str(tmp_path / "chutich" / "key.json"),
        "--level",
        "B-T",
        "--tsa",
        services.tsa_url,
        "--visible",
        "leader",
        "--certify",
        "--out",
        str(signed),
    )
    report = cli("verify", str(signed), "--trust", str(tsa_root))
    assert "Chữ ký hợp lệ" in report and "Trần Văn Minh" in report and "B-T" in report
    assert '"verdict": "valid"' in cli("verify", str(signed), "--trust", str(tsa_root), "--json")

    cli("ca", "revoke", serial)
    revoked = cli("verify", str(signed), "--trust", str(tsa_root), "--lang", "en", expect=1)
    assert "revoked" in revoked


def test_wrong_pin_writes_nothing(cli, tmp_path, services, make_pdf, monkeypatch):
    cli("ca", "init", "--organisation", "UBND", "--key-type", "ec-p256")
    cli("ca", "issue", "--seal", "--out", str(tmp_path / "seal"))
    source = tmp_path / "a.pdf"
    source.write_bytes(make_pdf())
    monkeypatch.setenv("MEETING_SIGN_PIN", "999999")
    output = cli(
        "sign",
        str(source),
        "--key",
        str(tmp_path / "seal" / "key.json"),
        "--out",
        str(tmp_path / "b.pdf"),
        expect=1,
    )
    assert "PIN" in output
    assert not (tmp_path / "b.pdf").exists()


def test_verify_without_any_trust_root_says_what_to_do(cli, tmp_path, make_pdf):
    source = tmp_path / "a.pdf"
    source.write_bytes(make_pdf())
    assert "ca init" in cli("verify", str(source), expect=1)


def test_the_server_publishes_the_crl_at_the_address_in_the_certificates(cli, app_config, tmp_path):
    cli("ca", "init", "--organisation", "UBND", "--key-type", "ec-p256")
    ca = InternalCA.load(tmp_path / "ca", b"mat-khau-ca-rat-dai")
    url = (
        ca.issuing_certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints)
        .value[0]
        .full_name[0]
        .value
    )
    assert url.endswith("/ca/root.crl")
    client = create_app(app_config).test_client()
    response = client.get("/ca/root.crl")
    assert response.status_code == 200
    assert response.mimetype == "application/pkix-crl"
    assert x509.load_der_x509_crl(response.data).issuer == ca.root_certificate.subject
    response.close()
    assert client.get("/ca/secret-key.pem").status_code == 404
