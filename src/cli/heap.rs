//! The process's heap: one malloc arena shared by every thread, without fast bins.
//!
//! glibc gives threads their own arenas, and memory freed into one arena is reused only by
//! threads allocating from it. A plan reads the state on a blocking thread, decodes it on
//! the main thread (freeing the document as it goes) and plans on the runtime's workers, so
//! with an arena per thread the freed document could not hold the decoded objects and both
//! stayed resident: a no-op plan of 10,000 instances peaked at 112 MB of RSS, 79 MB with
//! one arena (`docs/benchmarks.md`, "Engine only"). Small allocations still go through
//! glibc's per-thread caches, so sharing the arena costs the runs' threads little.
//!
//! Fast bins are turned off: they keep freed small chunks unmerged, and every larger
//! request then merges all of them first (`malloc_consolidate`). With the document's
//! millions of small strings freed while objects are built, that merging was a fifth of a
//! 100,000-instance plan's CPU; without fast bins chunks are merged as they are freed.

/// Limits malloc to one arena and no fast bins. Called first thing in `cli::main`, before
/// any thread starts.
pub fn use_one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets tunables of the allocator; it is called before any other
    // thread exists, and a refusal (return value 0) leaves the default in place.
    unsafe {
        let _ = libc::mallopt(libc::M_ARENA_MAX, 1);
        let _ = libc::mallopt(libc::M_MXFAST, 0);
    }
}
