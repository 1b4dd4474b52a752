"""Our validator on the attack corpus (tests/support/attacks.py), and on legitimate documents.

Each attack is reported as not valid, and by the check its test id names: ``pyhanko`` (its
verdict alone already refuses it), ``visual`` (pyHanko accepts it; only the picture comparison
sees the change) or ``trailing`` (bytes after the end). Legitimate routes and the clerk's form
filling stay valid and unchanged. Uploads go through the limited children, as on /verify.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from meeting_server.services import signatures, verification, visual_check
from meeting_server.storage import blob_store
from signing import InternalCA
from signing.form_fields import TextField
from signing.routes import RouteSlot, prepare_route, sign_route_step
from signing.sign import PadesLevel
from signing.stamps import LeaderStamp, SealStamp
from signing.testing import plain_pdf
from signing.trust import TrustSettings
from signing.validate import Verdict, validate_pdf
from signing.visual import VisualOptions
from tests.support import attacks
from tests.support.signing_setup import CA_PASSPHRASE, with_internal_ca


@pytest.fixture
def app_config(app_config, ca_template, tmp_path):
    return with_internal_ca(app_config, ca_template, tmp_path)


@pytest.fixture(scope="module")
def ca(tmp_path_factory, ca_template) -> InternalCA:
    """A copy of the app's CA (the same root) whose keys sign the corpus."""
    folder = tmp_path_factory.mktemp("attack-ca") / "ca"
    shutil.copytree(ca_template, folder)
    return InternalCA.load(folder, CA_PASSPHRASE)


@pytest.fixture(scope="module")
def keys(ca) -> attacks.Keys:
    return attacks.keys_of(ca)


@pytest.fixture
def trust(app) -> TrustSettings:
    """What the library trusts here: the app's CA (the corpus's) with its published CRLs."""
    with app.app_context():
        return signatures.trust_settings()


def checked(app, data: bytes) -> verification.Verification:
    """Upload ``data`` as /verify does (children: pyHanko, then the pictures)."""
    with app.test_request_context():
        return verification.verify_upload(io.BytesIO(data))


def pyhanko_alone(app, data: bytes):
    with app.app_context():
        return signatures.verify_document(data)


@pytest.mark.slow
@pytest.mark.parametrize("recipe", attacks.RECIPES, ids=lambda recipe: recipe.test_id)
def test_every_attack_is_reported_by_the_check_its_id_names(app, keys, recipe):
    attack = recipe.make(keys)
    result = checked(app, attack.data)
    alone = pyhanko_alone(app, attack.data)
    victim, victim_alone = result.signatures[0], alone.signatures[0]
    assert not result.all_valid
    if recipe.caught_by == "trailing":
        assert result.trailing_data and result.changed and alone.trailing_data
    elif recipe.caught_by == "pyhanko":
        assert not victim_alone.valid and not victim.valid
        assert victim.visual.changed is recipe.pictures  # the pictures back pyHanko up
    else:
        assert victim_alone.valid, "pyHanko alone accepts it: the pictures must catch it"
        assert victim.verdict == "changed_after_signing" and victim.visual.changed
        assert victim.visual.changed_pages == (1,) and victim.visual.pairs
        pair = victim.visual.pairs[0]
        assert pair.signed_image.startswith("data:image/png;base64,") and pair.current_image
        assert pair.regions and pair.zoom is not None


def stamp(field: str) -> LeaderStamp | SealStamp:
    now = datetime.now(UTC)
    if field == "seal":
        return SealStamp(agency="UBND Thành phố Hòa Bình Xanh", signed_at=now)
    return LeaderStamp(
        full_name="Trần Văn Minh", title="Chủ tịch", organisation="UBND", signed_at=now
    )


def route(ca, app, text_fields=(), seal_values=()) -> bytes:
    """The library's route chair → vice-chair → seal on the decision (a fresh key each)."""
    slots = [RouteSlot("chair"), RouteSlot("vice_chair"), RouteSlot("seal", "seal")]
    data = prepare_route(attacks.decision(), slots, text_fields)
    with app.app_context():
        trust = signatures.trust_settings()
    for slot in slots:
        key = attacks.keys_of(ca).victim
        data = sign_route_step(
            data, key, field_name=slot.field_name, trust=trust, stamp=stamp(slot.field_name),
            level=PadesLevel.B_B, form_values=seal_values if slot.kind == "seal" else (),
        )  # fmt: skip
    return data


def test_a_three_step_route_ending_with_the_seal_stays_valid_and_unchanged(app, ca):
    result = checked(app, route(ca, app))
    assert result.all_valid and [s.verdict for s in result.signatures] == ["valid"] * 3
    for sig in result.signatures:
        assert not sig.visual.changed and sig.visual.error is None and not sig.visual.pairs
        assert sig.visual.pages_compared == 1
    first = result.signatures[0].visual
    assert first.allowed == ()  # the later signatures are named by who signed them
    assert first.added_by == (result.signatures[2].signer, result.signatures[1].signer)


def test_kept_comparisons_nobody_opens_are_pruned_and_opened_ones_stay(app, ca):
    data = route(ca, app)
    with app.app_context():
        blob = blob_store().put_bytes(data)
        path = blob_store().path_for(blob.sha256)
        ranges = signatures.verify_document(data).ranges()
        assert visual_check.compare_stored(blob.sha256, path, ranges) is not None
        [kept] = (Path(app.config["STORAGE_DIR"]) / visual_check.CACHE_DIR).glob("*.json")
        month_ago = time.time() - (app.config["VISUAL_CACHE_DAYS"] + 1) * 86400
        os.utime(kept, (month_ago, month_ago))
        assert visual_check.compare_stored(blob.sha256, path, ranges) is not None  # opened
        assert visual_check.prune_cache() == 0 and kept.exists()
        os.utime(kept, (month_ago, month_ago))
        assert visual_check.prune_cache() == 1 and not kept.exists()


def test_the_clerks_number_in_its_empty_field_stays_valid_and_unchanged(app, ca):
    number = TextField("doc_number", 0, (380.0, 760.0, 560.0, 780.0))
    data = route(ca, app, [number], (("doc_number", "Số: 07/QĐ-UBND"),))
    result = checked(app, data)
    assert result.all_valid, [s.reason_en for s in result.signatures]
    assert "doc_number" in result.signatures[0].visual.allowed


def test_the_page_limit_applies_only_when_configured_and_leaves_it_not_fully_verified(app, keys):
    data = attacks.sign(plain_pdf(pages=3), keys.victim, "victim")
    [whole] = checked(app, data).signatures
    assert whole.valid and not whole.visual.capped and whole.visual.pages_compared == 3
    app.config["VISUAL_PAGE_LIMIT"] = 2
    result = checked(app, data)
    [capped] = result.signatures
    assert not capped.valid and not result.all_valid
    assert capped.visual.capped and capped.visual.pages_compared == 2
    assert "only 2 of 3 pages were compared" in capped.reason_en


def test_our_own_files_are_compared_once_and_a_failure_is_not_kept(app, keys, tmp_path):
    data = attacks.drawn_over(attacks.sign(attacks.decision(), keys.victim, "victim"))
    path = tmp_path / "stored.pdf"
    path.write_bytes(data)
    with app.app_context():
        ranges = signatures.verify_document(data).ranges()
        app.config["VERIFY_TIMEOUT_S"] = 0.001  # the child cannot even start
        assert visual_check.compare_stored("ab" * 32, path, ranges) is None
        folder = Path(app.config["STORAGE_DIR"]) / visual_check.CACHE_DIR
        assert list(folder.glob("*.json")) == []
        app.config["VERIFY_TIMEOUT_S"] = 60.0
        first = visual_check.compare_stored("ab" * 32, path, ranges)
        [kept] = folder.glob("*.json")
        written = kept.stat().st_ino
        again = visual_check.compare_stored("ab" * 32, path, ranges)
    assert first == again and first.checks[0]["changed"] and first.pictures["images"]
    assert kept.stat().st_ino == written  # read back (and marked used), not written again


def test_results_kept_under_an_older_masking_rule_are_not_served(app, keys, tmp_path, monkeypatch):
    path = tmp_path / "stored.pdf"
    path.write_bytes(attacks.sign(attacks.decision(), keys.victim, "victim"))
    with app.app_context():
        ranges = signatures.verify_document(path.read_bytes()).ranges()
        monkeypatch.setattr(visual_check, "ALGORITHM", visual_check.ALGORITHM - 1)
        visual_check.compare_stored("cd" * 32, path, ranges)
        monkeypatch.undo()
        visual_check.compare_stored("cd" * 32, path, ranges)
        folder = Path(app.config["STORAGE_DIR"]) / visual_check.CACHE_DIR
    assert len(list(folder.glob("cdcd*.json"))) == 2  # one per rule


# --- the library alone on the placeholder attacks (no app) ---------------------------------


@pytest.mark.parametrize(
    "recipe",
    [recipe for recipe in attacks.RECIPES if recipe.family == attacks.FORM],
    ids=lambda recipe: recipe.name,
)
def test_a_placeholder_cannot_replace_what_the_signer_saw(keys, trust, recipe):
    """An empty field over the amount or with a look of its own, a value changed under its
    old appearance, an untrusted stamp on a blank spot: pyHanko accepts each, we do not."""
    data = recipe.make(keys).data
    assert validate_pdf(data, trust).signatures[0].valid  # pyHanko alone
    report = validate_pdf(data, trust, visual=VisualOptions())
    victim = report.signatures[0]
    assert victim.verdict == Verdict.CHANGED and victim.visual.changed_pages == (1,)
    assert victim.visual.allowed == () and not report.all_valid


def test_only_a_trusted_signers_new_stamp_is_allowed_on_a_blank_spot(keys, trust):
    signed = attacks.sign(attacks.decision(), keys.victim, "victim")
    for key, allowed in ((keys.attacker, True), (keys.outsider, False)):
        data = attacks.sign(signed, key, "late", box=(72, 600, 400, 640), text="Approved")
        [victim, late] = validate_pdf(data, trust, visual=VisualOptions()).signatures
        assert victim.valid is allowed and late.vouched is allowed
        assert victim.visual.later_signatures == (("late",) if allowed else ())
