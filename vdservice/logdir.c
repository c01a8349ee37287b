/* The service's log folder: created or repaired so no user can redirect what
 * SYSTEM writes there (see logdir.h). */
#include "logdir.h"
#include "logging.h"

#include <aclapi.h>
#include <fcntl.h>
#include <io.h>
#include <sddl.h>
#include <stdlib.h>

/* Access that lets a holder change what is in the folder or who may. */
#define WRITE_LIKE                                                                           \
    (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES |            \
     FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL)

/* Our own user (SYSTEM for the service), in buf. */
static PSID self_sid(uint8_t *buf, DWORD len)
{
    HANDLE tok;
    PSID sid = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return NULL;
    DWORD n;
    if (GetTokenInformation(tok, TokenUser, buf, len, &n))
        sid = ((TOKEN_USER *)buf)->User.Sid;
    CloseHandle(tok);
    return sid;
}

static int is_well_known(PSID sid, WELL_KNOWN_SID_TYPE type)
{
    return IsWellKnownSid(sid, type);
}

static int trusted_sid(PSID sid, PSID self)
{
    return is_well_known(sid, WinLocalSystemSid) || is_well_known(sid, WinBuiltinAdministratorsSid) ||
           (self && EqualSid(sid, self));
}

/* 2: someone else owns the folder or may write in it (take it over, delete what
 * may have been planted); 1: sound but the DACL is inherited (put ours: later
 * changes to ProgramData must not reach it); 0: as we make it. */
static int folder_risk(HANDLE h, PSID self, char *why, size_t len)
{
    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD err = GetSecurityInfo(h, SE_FILE_OBJECT,
                                OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                                NULL, &dacl, NULL, &sd);
    if (err != ERROR_SUCCESS) {
        snprintf(why, len, "its security cannot be read (error %lu)", (unsigned long)err);
        return 2;
    }
    int risk = 0;
    SECURITY_DESCRIPTOR_CONTROL ctl = 0;
    DWORD rev;
    if (!owner || !trusted_sid(owner, self)) {
        snprintf(why, len, "it is owned by someone else");
        risk = 2;
    } else if (!dacl) {
        snprintf(why, len, "it has no access list: everyone may write");
        risk = 2;
    } else {
        for (DWORD i = 0; risk < 2 && i < dacl->AceCount; i++) {
            ACE_HEADER *ace;
            if (!GetAce(dacl, i, (void **)&ace) || ace->AceType != ACCESS_ALLOWED_ACE_TYPE)
                continue;
            ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)ace;
            if ((a->Mask & WRITE_LIKE) && !trusted_sid((PSID)&a->SidStart, self)) {
                snprintf(why, len, "its access list lets others write");
                risk = 2;
            }
        }
        if (risk == 0 && (!GetSecurityDescriptorControl(sd, &ctl, &rev) ||
                          !(ctl & SE_DACL_PROTECTED)))
            risk = 1;
    }
    LocalFree(sd);
    return risk;
}

static DWORD delete_handle(HANDLE h)
{
    FILE_DISPOSITION_INFO d = { TRUE };
    return SetFileInformationByHandle(h, FileDispositionInfo, &d, sizeof d) ? ERROR_SUCCESS
                                                                            : GetLastError();
}

/* Deletes the name `path` itself: a link, never what it points to. */
static void delete_name(const wchar_t *path)
{
    HANDLE h = CreateFileW(path, DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING,
                           FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (h != INVALID_HANDLE_VALUE) {
        delete_handle(h);
        CloseHandle(h);
    }
}

static void delete_log_files(const wchar_t *dir)
{
    static const wchar_t *const names[] = { L"vdservice.log", L"vdservice.log.1" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        wchar_t p[MAX_PATH + 32];
        if (swprintf(p, sizeof p / sizeof p[0], L"%ls\\%ls", dir, names[i]) > 0)
            delete_name(p);
    }
}

static HANDLE open_dir(const wchar_t *dir)
{
    return CreateFileW(dir, READ_CONTROL | WRITE_DAC | WRITE_OWNER | FILE_READ_ATTRIBUTES | DELETE,
                       FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                       FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
}

DWORD vds_logdir_prepare(const wchar_t *dir, HANDLE *out, char *note, size_t note_len)
{
    *out = INVALID_HANDLE_VALUE;
    note[0] = 0;
    PSECURITY_DESCRIPTOR sd = NULL;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(VDS_LOGDIR_SDDL, SDDL_REVISION_1,
                                                              &sd, NULL))
        return GetLastError();
    SECURITY_ATTRIBUTES sa = { sizeof sa, sd, FALSE };
    uint8_t self_buf[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    PSID self = self_sid(self_buf, sizeof self_buf);
    DWORD err = ERROR_SUCCESS;
    HANDLE h = INVALID_HANDLE_VALUE;
    int created = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        created = CreateDirectoryW(dir, &sa) != 0;
        if (!created && (err = GetLastError()) != ERROR_ALREADY_EXISTS)
            break;
        err = ERROR_SUCCESS;
        h = open_dir(dir);
        if (h == INVALID_HANDLE_VALUE) {
            err = GetLastError();
            break;
        }
        BY_HANDLE_FILE_INFORMATION fi;
        if (!GetFileInformationByHandle(h, &fi)) {
            err = GetLastError();
            break;
        }
        if (fi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
            /* A junction or link planted in our place: remove the link only. */
            err = delete_handle(h);
            CloseHandle(h);
            h = INVALID_HANDLE_VALUE;
            snprintf(note, note_len, "the log folder was a reparse point (junction or link): "
                     "the link was removed and the folder created anew");
            if (err != ERROR_SUCCESS)
                break;
            err = ERROR_ALREADY_EXISTS; /* if the second attempt still finds one */
            continue;
        }
        if (!(fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
            err = ERROR_DIRECTORY;
        break;
    }
    if (err == ERROR_SUCCESS) {
        char why[80] = "";
        /* Created by us: set again all the same, for a system that did not apply
         * the descriptor given at creation. */
        int risk = created ? 1 : folder_risk(h, self, why, sizeof why);
        if (risk > 0) {
            BOOL present = FALSE, defaulted = FALSE;
            PACL dacl = NULL;
            GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
            DWORD e = SetSecurityInfo(h, SE_FILE_OBJECT,
                                      OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
                                          PROTECTED_DACL_SECURITY_INFORMATION,
                                      self, NULL, dacl, NULL);
            if (e != ERROR_SUCCESS && risk == 2)
                err = e; /* a folder others control is not used */
            if (risk == 2 && e == ERROR_SUCCESS) {
                delete_log_files(dir);
                snprintf(note, note_len, "the log folder was not safe (%s): taken over with the "
                         "service's access list, old log files deleted", why);
            }
        }
    }
    LocalFree(sd);
    if (err != ERROR_SUCCESS) {
        if (h != INVALID_HANDLE_VALUE)
            CloseHandle(h);
        return err;
    }
    *out = h;
    return ERROR_SUCCESS;
}

/* ------------------------------------------------------------ the log files */

static wchar_t *widen(const char *utf8)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, utf8, -1, NULL, 0);
    wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
    if (w && MultiByteToWideChar(CP_UTF8, 0, utf8, -1, w, n) <= 0) {
        free(w);
        w = NULL;
    }
    return w;
}

/* A plain file with one name, or NULL (the handle is closed). */
static HANDLE plain_file(HANDLE h)
{
    BY_HANDLE_FILE_INFORMATION fi;
    if (h == INVALID_HANDLE_VALUE)
        return h;
    if (GetFileInformationByHandle(h, &fi) &&
        !(fi.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) &&
        fi.nNumberOfLinks == 1)
        return h;
    CloseHandle(h);
    return INVALID_HANDLE_VALUE;
}

static FILE *open_file(void *ctx, const char *path, const char *mode)
{
    (void)ctx;
    wchar_t *w = widen(path);
    if (!w)
        return NULL;
    DWORD disp = mode[0] == 'w' ? CREATE_ALWAYS : OPEN_ALWAYS;
    DWORD share = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    DWORD flags = FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT;
    HANDLE h = plain_file(CreateFileW(w, GENERIC_WRITE, share, NULL, disp, flags, NULL));
    if (h == INVALID_HANDLE_VALUE) {
        /* Not a plain file (a link, a folder, a second name of another file):
         * remove that name and make a new file. */
        delete_name(w);
        h = plain_file(CreateFileW(w, GENERIC_WRITE, share, NULL, CREATE_NEW, flags, NULL));
    }
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return NULL;
    int fd = _open_osfhandle((intptr_t)h, _O_BINARY | _O_WRONLY);
    if (fd < 0) {
        CloseHandle(h);
        return NULL;
    }
    FILE *fp = _fdopen(fd, "ab");
    if (!fp)
        _close(fd);
    return fp;
}

static int replace_file(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    wchar_t *wf = widen(from), *wt = widen(to);
    int rc = -1;
    /* A rename moves the name itself, whatever it is: it follows no link. */
    if (wf && wt && MoveFileExW(wf, wt, MOVEFILE_REPLACE_EXISTING))
        rc = 0;
    free(wf);
    free(wt);
    return rc;
}

const vda_log_file_ops vds_logdir_file_ops = { open_file, replace_file, NULL };
