"""The demo's handwritten signatures: drawn per person, the same every time, cleaned and saved."""

from __future__ import annotations

import io

from PIL import Image

from meeting_server.demo.signatures import SIGNATURE_HOLDERS, seed_signatures, signature_photo
from meeting_server.extensions import db
from meeting_server.models import Role
from meeting_server.services.signature_images import leader_signature
from tests.support.people import actor


def test_each_person_has_their_own_signature_and_always_the_same():
    photos = {name: signature_photo(name) for name in SIGNATURE_HOLDERS}
    assert len(set(photos.values())) == len(SIGNATURE_HOLDERS)
    assert signature_photo("chutich") == photos["chutich"]
    assert Image.open(io.BytesIO(photos["chutich"])).format == "JPEG"  # as a phone sends it


def test_the_demo_signers_get_a_blue_signature_image(app, create_user):
    for username in SIGNATURE_HOLDERS:
        create_user(username, Role.LEADER)
    with app.app_context():
        seed_signatures({name: actor(name) for name in SIGNATURE_HOLDERS})
        db.session.commit()
    with app.app_context():
        for username in SIGNATURE_HOLDERS:
            image = Image.open(io.BytesIO(leader_signature(actor(username))))
            assert image.mode == "RGBA" and image.width > 2 * image.height  # a signature's shape
            blue = {pixel[:3] for pixel in image.get_flattened_data() if pixel[3]}
            assert blue == {(13, 51, 140)}
