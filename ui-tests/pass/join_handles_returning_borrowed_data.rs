// Proves: a spawn may return data borrowed from outside the scope, and its
// handle's `join` hands it back inside the scope.
fn main() {
    let words = vec![String::from("alpha"), String::from("beta")];
    let (first, longest) = forkscope::scope(|s| {
        let a = s.spawn(|| words[0].as_str());
        let b = s.spawn(|| words.iter().max_by_key(|w| w.len()).unwrap());
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(first, "alpha");
    assert_eq!(longest, "alpha");
}
