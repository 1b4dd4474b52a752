"""Warning filters for third-party code this library imports; each exact, with its reason."""

from __future__ import annotations

import re
import warnings

from cryptography.utils import CryptographyDeprecationWarning

#: cryptography 51 deprecates DSA and pyHanko still imports its key types (we never use DSA):
#: silence exactly that warning from exactly these modules, nothing else.
DSA_IMPORTERS = ("pyhanko.sign.signers.pdf_cms", "pyhanko_certvalidator.sig_validate")

for _module in DSA_IMPORTERS:
    warnings.filterwarnings(
        "ignore",
        message="DSA is deprecated",
        category=CryptographyDeprecationWarning,
        module=re.escape(_module) + r"\Z",
    )
