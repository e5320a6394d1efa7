// Linking jemalloc replaces the C library's malloc and free for the whole process; nothing in
// raftd calls jemalloc by name, so this header declares nothing.
