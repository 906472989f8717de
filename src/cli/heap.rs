//! The process's heap: one malloc arena shared by every thread.
//!
//! glibc gives threads their own arenas, and memory freed into one arena is reused only by
//! threads allocating from it. A plan reads the state on a blocking thread, decodes it on
//! the main thread (freeing the document as it goes) and plans on the runtime's workers, so
//! with an arena per thread the freed document could not hold the decoded objects and both
//! stayed resident: a no-op plan of 10,000 instances peaked at 112 MB of RSS, 79 MB with
//! one arena (`docs/benchmarks.md`, "Engine only"). Small allocations still go through
//! glibc's per-thread caches, so sharing the arena costs the runs' threads little.

/// Limits malloc to one arena. Called first thing in `cli::main`, before any thread starts.
pub fn use_one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the allocator; it is called before any other
    // thread exists, and a refusal (return value 0) leaves the default in place.
    unsafe {
        let _ = libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}
