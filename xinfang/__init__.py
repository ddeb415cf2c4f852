"""xinfang: documents and an encrypted archive for petition and discipline-inspection offices.

The front door.  It composes :mod:`archive`, :mod:`generators` and :mod:`search`
behind the ``xinfang`` command; the libraries themselves never print.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
