//! The auto traits of the public types, pinned at compile time
//! (`docs/architecture.md`, "Borrowing is sound"): a change that loses or
//! gains one fails to build this file.

use forkscope::{Builder, Scope, ScopedJoinHandle, SpawnError};
use static_assertions::{assert_impl_all, assert_not_impl_any};
use std::cell::Cell;
use std::rc::Rc;

#[test]
fn scope_is_send_and_sync_so_spawned_closures_can_capture_it() {
    assert_impl_all!(Scope<'static, 'static>: Send, Sync);
    // What a spawned closure actually captures.
    assert_impl_all!(&'static Scope<'static, 'static>: Send);
}

#[test]
fn join_handle_is_send_and_sync_when_the_result_is_send() {
    assert_impl_all!(ScopedJoinHandle<'static, i32>: Send, Sync);
    // `Send` is enough: joining moves the result, nothing shares it.
    assert_impl_all!(ScopedJoinHandle<'static, Cell<i32>>: Send, Sync);
}

#[test]
fn join_handle_is_neither_send_nor_sync_when_the_result_is_not_send() {
    assert_not_impl_any!(ScopedJoinHandle<'static, Rc<i32>>: Send, Sync);
}

#[test]
fn scope_and_join_handle_cannot_be_cloned() {
    assert_not_impl_any!(Scope<'static, 'static>: Clone);
    assert_not_impl_any!(ScopedJoinHandle<'static, i32>: Clone);
}

#[test]
fn builder_is_send_and_sync() {
    assert_impl_all!(Builder: Send, Sync);
}

#[test]
fn spawn_error_is_a_send_and_sync_error() {
    assert_impl_all!(SpawnError: Send, Sync, std::error::Error);
}

#[test]
fn pools_and_donation_handles_cross_threads() {
    use forkscope::{DonateError, DonationHandle, ThreadBuilder, ThreadPool};
    // A pool can be shared with and dropped on other threads; a donation
    // handle is given to the runtime's threads.
    assert_impl_all!(ThreadPool: Send, Sync);
    assert_impl_all!(DonationHandle: Send, Sync, Clone);
    assert_impl_all!(DonateError: Send, Sync, Copy, std::error::Error);
    assert_not_impl_any!(ThreadPool: Clone);
    // A spawn handler moves it into the thread it starts.
    assert_impl_all!(ThreadBuilder: Send);
}
