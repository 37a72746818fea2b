"""The course kit's autograder: release labs, grade submissions in sandboxed kernels, export grades."""

import sys

__version__ = "0.1.0"

# nbformat imports jsonschema, which builds a Lark grammar for the "iri" string formats at import time: 0.6 s
# of every command's start-up on a 2-core machine. No notebook schema uses those formats, so leave it out.
sys.modules.setdefault("rfc3987_syntax", None)
