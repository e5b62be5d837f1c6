"""perfspec: 财政项目支出绩效自评表 kept as YAML, checked and rendered."""

try:
    # The release tag's version, written by setuptools-scm at build time (importlib.metadata costs ~35 ms).
    from perfspec._version import version as __version__
except ImportError:  # a source tree that was never built or installed
    __version__ = "0.0.0+unknown"
