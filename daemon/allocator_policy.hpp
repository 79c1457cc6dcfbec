#pragma once
// glibc's default malloc tuning suits short programs, not a daemon that
// rebuilds a routing snapshot of 100,000 routes on every CONFIG_APPLY: each
// build's large vectors came from fresh mmap()s and the heap was trimmed
// after each free, so every apply paid a page fault for every page it
// touched again (about a fifth of its CPU). A MALLOC_* environment variable
// set by the operator still wins.
namespace reg {

// Allocations up to 32 MiB come from the heap, and up to 128 MiB of freed
// heap is kept for the next build instead of being returned to the kernel.
void keep_freed_memory_for_reuse();

}  // namespace reg
