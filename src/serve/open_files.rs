//! The process's limit on open files, which bounds how many connections can be served: past
//! it, `accept` fails (EMFILE) and so does everything else that opens a file or a socket.

/// Descriptors kept for what is not a client connection, beyond the database pool: the
/// listener, the runtime's own, SMTP and Google connections, templates and e-mails written.
pub const RESERVED_FILES: u64 = 128;

/// The number of connections to serve: `wanted`, after raising the soft limit on open files
/// to fit them and `reserved` other descriptors; fewer, with a warning, when the hard limit
/// does not allow that many.
pub fn connection_cap(wanted: usize, reserved: u64) -> usize {
    let needed = u64::try_from(wanted)
        .unwrap_or(u64::MAX)
        .saturating_add(reserved);
    let limit = raise_open_file_limit(needed);
    let cap = fit(wanted, reserved, limit);
    if cap < wanted {
        tracing::warn!(
            wanted,
            served = cap,
            open_file_limit = limit,
            "the open-file limit leaves room for fewer connections than server.max_connections"
        );
    }
    cap
}

/// Raises the soft limit on open files to `wanted` if it is lower, never above the hard limit,
/// and returns the soft limit in force afterwards; `None` where it cannot be read. The soft
/// limit is often 1024 while the hard one is far higher: the kernel lets any process raise it.
pub fn raise_open_file_limit(wanted: u64) -> Option<u64> {
    imp::raise(wanted)
}

/// `wanted`, or what `limit` leaves besides `reserved`; at least a few, so that a service
/// started under a tiny limit still answers, pausing on EMFILE rather than serving nothing.
fn fit(wanted: usize, reserved: u64, limit: Option<u64>) -> usize {
    const AT_LEAST: usize = 16;
    match limit {
        None => wanted,
        Some(limit) => {
            let room = usize::try_from(limit.saturating_sub(reserved)).unwrap_or(usize::MAX);
            wanted.min(room.max(AT_LEAST))
        }
    }
}

#[cfg(unix)]
mod imp {
    // rlim_t is u64 on Linux but not on every Unix.
    #[allow(clippy::useless_conversion)]
    pub fn raise(wanted: u64) -> Option<u64> {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes only into the struct it is handed, which outlives the call.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return None;
        }
        let current = u64::from(limit.rlim_cur);
        let hard = u64::from(limit.rlim_max);
        if current >= wanted {
            return Some(current);
        }
        let raised = libc::rlimit {
            rlim_cur: libc::rlim_t::try_from(wanted.min(hard)).unwrap_or(limit.rlim_max),
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct it is handed, which outlives the call.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
            // macOS refuses more than OPEN_MAX even under an unlimited hard limit: keep what is.
            return Some(current);
        }
        Some(u64::from(raised.rlim_cur))
    }
}

#[cfg(not(unix))]
mod imp {
    pub fn raise(_wanted: u64) -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_what_is_wanted_when_the_limit_allows_it() {
        assert_eq!(fit(4096, 138, Some(20_000)), 4096);
        assert_eq!(fit(4096, 138, None), 4096);
    }

    #[test]
    fn the_cap_leaves_the_reserved_descriptors_free() {
        assert_eq!(fit(4096, 138, Some(1024)), 886);
    }

    #[test]
    fn a_tiny_limit_still_serves_a_few() {
        assert_eq!(fit(4096, 138, Some(100)), 16);
        assert_eq!(fit(4, 138, Some(100)), 4);
    }

    #[test]
    fn the_soft_limit_is_raised_but_never_lowered() {
        let Some(before) = raise_open_file_limit(0) else {
            return;
        };
        assert_eq!(
            raise_open_file_limit(before.saturating_sub(1)),
            Some(before)
        );
        let after = raise_open_file_limit(before + 1).unwrap_or(0);
        assert!(after >= before, "{after} < {before}");
    }
}
