"""Outputs: findings as text, JSON, SARIF, GitLab, GitHub, JUnit (formats/), forms as HTML/Markdown (render) and Excel (xlsx)."""
