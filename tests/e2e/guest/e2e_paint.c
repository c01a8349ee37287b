/* e2e_paint.exe: shows a known picture on the guest's screen, for the display
 * tests to find on the client's primary surface.
 *
 *   e2e_paint.exe X Y W H SECONDS
 *
 * A topmost borderless window at screen pixel X,Y of W x H pixels whose pixel
 * (x, y), counted from its top-left corner, has the colour
 *   red = x & 255, green = y & 255, blue = ((x >> 8) * 16 + (y >> 8)) ^ 0x5a
 * (tests/e2e/display_tests.py computes the same). Prints "painted" after its
 * first paint and exits 0 after SECONDS; 2 on bad usage, 1 if no window. */
#include <windows.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    BITMAPINFO bmi;
    uint32_t *pixels;          /* 0x00RRGGBB, top row first */
    int w, h;
    int painted;
} paint_state;

static uint32_t pattern(int x, int y)
{
    uint32_t r = (uint32_t)x & 255, g = (uint32_t)y & 255;
    uint32_t b = ((((uint32_t)x >> 8) * 16 + ((uint32_t)y >> 8)) ^ 0x5a) & 255;
    return r << 16 | g << 8 | b;
}

static LRESULT CALLBACK paint_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    paint_state *s = (paint_state *)GetWindowLongPtrW(hwnd, GWLP_USERDATA);
    switch (msg) {
    case WM_CREATE:
        SetWindowLongPtrW(hwnd, GWLP_USERDATA,
                          (LONG_PTR)((CREATESTRUCTW *)lp)->lpCreateParams);
        return 0;
    case WM_PAINT: {
        PAINTSTRUCT ps;
        HDC dc = BeginPaint(hwnd, &ps);
        SetDIBitsToDevice(dc, 0, 0, (DWORD)s->w, (DWORD)s->h, 0, 0, 0, (UINT)s->h, s->pixels,
                          &s->bmi, DIB_RGB_COLORS);
        EndPaint(hwnd, &ps);
        if (!s->painted) {
            s->painted = 1;
            printf("painted\n");
            fflush(stdout);
        }
        return 0;
    }
    case WM_TIMER:
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcW(hwnd, msg, wp, lp);
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: e2e_paint.exe X Y W H SECONDS\n");
        return 2;
    }
    int x = _wtoi(argv[1]), y = _wtoi(argv[2]);
    paint_state s = { .w = _wtoi(argv[3]), .h = _wtoi(argv[4]) };
    int seconds = _wtoi(argv[5]);
    if (s.w <= 0 || s.h <= 0 || s.w > 8192 || s.h > 8192 || seconds <= 0) {
        fprintf(stderr, "e2e_paint: bad size or time\n");
        return 2;
    }
    s.pixels = malloc((size_t)s.w * (size_t)s.h * 4);
    if (!s.pixels) {
        fprintf(stderr, "e2e_paint: out of memory\n");
        return 1;
    }
    for (int j = 0; j < s.h; j++)
        for (int i = 0; i < s.w; i++)
            s.pixels[(size_t)j * (size_t)s.w + (size_t)i] = pattern(i, j);
    s.bmi.bmiHeader.biSize = sizeof s.bmi.bmiHeader;
    s.bmi.bmiHeader.biWidth = s.w;
    s.bmi.bmiHeader.biHeight = -s.h;            /* top-down */
    s.bmi.bmiHeader.biPlanes = 1;
    s.bmi.bmiHeader.biBitCount = 32;
    s.bmi.bmiHeader.biCompression = BI_RGB;

    WNDCLASSW wc = { .lpfnWndProc = paint_proc, .hInstance = GetModuleHandleW(NULL),
                     .lpszClassName = L"e2e_paint", .hCursor = LoadCursorW(NULL, IDC_ARROW) };
    if (!RegisterClassW(&wc)) {
        fprintf(stderr, "e2e_paint: RegisterClass failed (error %lu)\n", GetLastError());
        return 1;
    }
    HWND hwnd = CreateWindowExW(WS_EX_TOPMOST | WS_EX_TOOLWINDOW, L"e2e_paint", L"e2e paint",
                                WS_POPUP | WS_VISIBLE, x, y, s.w, s.h, NULL, NULL,
                                wc.hInstance, &s);
    if (!hwnd) {
        fprintf(stderr, "e2e_paint: CreateWindowEx failed (error %lu)\n", GetLastError());
        return 1;
    }
    SetTimer(hwnd, 1, (UINT)seconds * 1000, NULL);
    MSG m;
    while (GetMessageW(&m, NULL, 0, 0) > 0) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
    }
    DestroyWindow(hwnd);
    free(s.pixels);
    return 0;
}
