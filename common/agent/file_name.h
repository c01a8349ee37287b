/* Untrusted file names from the client made safe for a Windows folder, portable.
 * The rules (each rewrites, none refuses: the user dropped a file and wants it):
 *   - only the last component is kept ('/' and '\' both separate);
 *   - control characters and < > : " / \ | ? * become '_' (so drive letters and
 *     ':' alternate data streams cannot be named);
 *   - trailing dots and spaces are removed (Windows drops them silently);
 *   - a reserved device name (CON PRN AUX NUL COM0-9 LPT0-9 and their superscript
 *     forms, CONIN$ CONOUT$; any case, with or without an extension, with spaces
 *     before the dot) gets a leading '_';
 *   - an empty result (also ".", "..", "dir/") becomes "file";
 *   - a name longer than max_units UTF-16 units is shortened in its stem, the
 *     extension kept (whole code points only).
 * Collisions are the caller's business: vda_file_name_numbered gives "name (n).ext". */
#ifndef VDA_FILE_NAME_H
#define VDA_FILE_NAME_H

#include <stddef.h>

/* Room for any result (UTF-8, NUL included). */
#define VDA_FILE_NAME_CAP 1100
/* UTF-16 units vda_file_name_numbered may add (" (99999)"). */
#define VDA_FILE_NAME_NUMBER_UNITS 8

/* name: valid UTF-8 (vda_utf8_valid); out: VDA_FILE_NAME_CAP bytes. max_units at
 * least 16. Returns 1 if the name was changed, 0 if it was kept as it is. */
int vda_file_name_sanitize(const char *name, size_t max_units, char *out);

/* "stem (n).ext" from a sanitized name (n >= 1); out: VDA_FILE_NAME_CAP bytes.
 * The extension is what follows the last dot, unless that dot starts the name. */
void vda_file_name_numbered(const char *name, unsigned n, char *out);

/* UTF-16 units of valid UTF-8 s. */
size_t vda_utf16_units(const char *s);

#endif
