"""perfspec: 财政项目支出绩效自评表 kept as YAML, checked and rendered."""

__version__ = "0.1.0"
