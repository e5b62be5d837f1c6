"""PS003 encoding: 文件必须是 UTF-8 编码

接受 UTF-8（带或不带 BOM，LF 或 CRLF 换行）。GBK/GB18030、UTF-16 等编码的文件
会得到明确的提示和出错字节所在的行，而不是乱码。

通过 / passes: 以 UTF-8 保存的文件。

不通过 / fails: 以 GBK 保存的文件（Windows 记事本“ANSI”），或 UTF-16 文件。
"""

CODE = "PS003"
NAME = "encoding"
SEVERITY = "error"
SUMMARY = "文件必须是 UTF-8 编码"
SUMMARY_EN = "the file must be UTF-8"
