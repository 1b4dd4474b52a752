"""Stamp images as the signing code reads them: a leader's signature, the organisation's seal."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from meeting_server.extensions import db
from meeting_server.models import AuditEvent, OrganisationSeal, Role
from meeting_server.services import signature_images
from meeting_server.services.errors import NotAllowed, ServiceError, UploadRefused
from meeting_server.storage import blob_store
from tests.support.ink_pictures import blank_photo, seal_scan, signature_photo
from tests.support.people import actor
from tests.support.signing_setup import english


@pytest.fixture
def admin(create_user):
    return create_user("quantri", Role.ADMIN, full_name="Quản Trị")


def stored_blobs() -> set[str]:
    return {path.name for path in (blob_store().root / "blobs").rglob("*") if path.is_file()}


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_prepared_signature_is_stored_but_nobodys_until_saved(app, chair):
    with app.app_context():
        leader = actor("chutich")
        sha256 = signature_images.prepare_signature_image(signature_photo("chutich"))
        assert sha256 in stored_blobs()
        assert signature_images.leader_signature(leader) is None

        signature_images.save_signature_image(leader, sha256)
        db.session.commit()

    with app.app_context():
        png = signature_images.leader_signature(actor("chutich"))
        assert png == blob_store().path_for(sha256).read_bytes()
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0  # the paper is gone
        assert actions()[-1] == "signature_image.set"


def test_a_refused_picture_stores_nothing_and_says_what_to_do(app, chair):
    with english(app):  # the msgids
        before = stored_blobs()
        with pytest.raises(UploadRefused) as refused:
            signature_images.prepare_signature_image(blank_photo())
        assert refused.value.status == 422 and refused.value.field == "image"
        assert "Sign in dark ink on plain white paper" in str(refused.value.message)
        with pytest.raises(UploadRefused):
            signature_images.prepare_signature_image(b"not a picture")
        assert stored_blobs() == before


def test_removing_a_signature_image_leaves_the_stamps_without_it(app, chair):
    with app.app_context():
        leader = actor("chutich")
        sha256 = signature_images.prepare_signature_image(signature_photo("chutich"))
        signature_images.save_signature_image(leader, sha256)
        signature_images.remove_signature_image(leader)
        db.session.commit()
        assert signature_images.leader_signature(leader) is None
        assert actions()[-2:] == ["signature_image.set", "signature_image.removed"]
        with pytest.raises(NotAllowed):
            signature_images.remove_signature_image(leader)


def test_only_a_prepared_picture_can_be_saved(app, chair):
    with app.app_context():
        with pytest.raises(NotAllowed):
            signature_images.save_signature_image(actor("chutich"), "ab" * 32)
        assert actor("chutich").signature_image_sha256 is None


def test_the_organisation_seal_is_kept_with_its_real_diameter(app, admin):
    with app.app_context():
        assert signature_images.organisation_seal() is None  # the drawn seal is used
        sha256 = signature_images.prepare_seal_image(seal_scan())
        signature_images.save_organisation_seal(actor("quantri"), sha256, 38)
        db.session.commit()

    with app.app_context():
        seal = signature_images.organisation_seal()
        assert seal is not None and seal.diameter_mm == 38
        image = Image.open(io.BytesIO(seal.png))
        assert image.width == image.height  # square: its side is the diameter
        row = db.session.get(OrganisationSeal, app.config["ORGANISATION_CODE"])
        assert row.sha256 == sha256 and row.updated_by_id == actor("quantri").id
        assert actions()[-1] == "organisation_seal.set"


def test_a_new_seal_image_replaces_the_old_and_removing_it_brings_back_the_drawn_seal(app, admin):
    with app.app_context():
        admin_user = actor("quantri")
        first = signature_images.prepare_seal_image(seal_scan(600))
        signature_images.save_organisation_seal(admin_user, first, 36)
        second = signature_images.prepare_seal_image(seal_scan(800))
        signature_images.save_organisation_seal(admin_user, second, 40)
        db.session.commit()
        assert db.session.scalars(select(OrganisationSeal)).all()[0].sha256 == second
        assert signature_images.organisation_seal().diameter_mm == 40

        signature_images.remove_organisation_seal(admin_user)
        db.session.commit()
        assert signature_images.organisation_seal() is None
        with pytest.raises(NotAllowed):
            signature_images.remove_organisation_seal(admin_user)


@pytest.mark.parametrize("diameter", [0, 29, 51, 360])
def test_a_seal_diameter_out_of_range_is_refused(app, admin, diameter):
    with english(app):  # the msgids
        sha256 = signature_images.prepare_seal_image(seal_scan())
        with pytest.raises(ServiceError) as refused:
            signature_images.save_organisation_seal(actor("quantri"), sha256, diameter)
        assert refused.value.field == "diameter_mm"
        assert "from 30 to 50" in str(refused.value.message)


def test_each_organisation_has_its_own_seal(make_app, admin):
    office = make_app()
    with office.app_context():
        sha256 = signature_images.prepare_seal_image(seal_scan())
        signature_images.save_organisation_seal(actor("quantri"), sha256, 36)
        db.session.commit()
    with make_app(ORGANISATION_CODE="SXD").app_context():
        assert signature_images.organisation_seal() is None
    with office.app_context():
        assert signature_images.organisation_seal() is not None
