// ncurses for Swift: the wide-character library plus tiny functions for what Swift cannot import,
// namely C macros (COLOR_PAIR, getmaxyx, ACS_*) and mutable globals (stdscr, LINES, COLS).
#ifndef RAFTKV_CNCURSES_SHIM_H
#define RAFTKV_CNCURSES_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

static inline WINDOW *raftkv_stdscr(void) { return stdscr; }
static inline int raftkv_lines(void) { return LINES; }
static inline int raftkv_cols(void) { return COLS; }
static inline int raftkv_color_pair(int pair) { return (int)COLOR_PAIR(pair); }
static inline int raftkv_attr_bold(void) { return (int)A_BOLD; }
static inline int raftkv_attr_dim(void) { return (int)A_DIM; }
static inline int raftkv_attr_reverse(void) { return (int)A_REVERSE; }
static inline int raftkv_attr_underline(void) { return (int)A_UNDERLINE; }
static inline int raftkv_key_resize(void) { return KEY_RESIZE; }
static inline int raftkv_key_f(int n) { return KEY_F(n); }

/// Writes one cell: a wide character with attributes and a colour pair, at (y, x) of stdscr.
static inline int raftkv_put_cell(int y, int x, wchar_t ch, int attrs, short pair) {
    cchar_t cell;
    wchar_t text[2] = { ch, 0 };
    setcchar(&cell, text, (attr_t)attrs, pair, NULL);
    return mvwadd_wch(stdscr, y, x, &cell);
}

#endif
