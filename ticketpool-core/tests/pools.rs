//! The shared pool suite, run against both strategies.

#[macro_use]
mod suite;

mod lockfree {
    pool_suite!(crate::suite::LockFree);
}

mod condvar {
    pool_suite!(crate::suite::Condvar);
}
