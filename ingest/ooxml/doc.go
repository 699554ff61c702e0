// Package ooxml opens Office Open XML packages (DOCX, XLSX) without
// trusting them: the signature and the archive's declared entry count and
// unpacked size are checked before anything is decompressed, so a renamed
// file, a legacy or encrypted Office file, or a zip bomb is refused with a
// reason a person understands.
package ooxml
