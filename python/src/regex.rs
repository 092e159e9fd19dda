//! The regular-expression subset of MicroPython's `ure` (the re1.5 engine),
//! on bytes: literals, `.`, classes `[...]`/`[^...]` of single bytes and
//! ranges (no escapes inside), `\d \s \w` and their negations, groups `(...)`
//! and `(?:...)`, `|`, `^` and `$` (start and end of the subject only), and
//! `? * +` with lazy `??  *?  +?`. There are no counted repeats: `{` is a
//! literal, as is any other escaped character (`\n` matches `n`).
//! Matching backtracks in the engine's order: the leftmost match, with
//! alternatives and repeats tried in priority order. A repeat whose body
//! matches nothing loops for ever in that engine until the stack check stops
//! it; here it is reported as [`Overflow`] at once.

use std::cell::Cell;

use thiserror::Error;

/// A pattern the engine cannot compile.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("Error in regex")]
pub struct PatternError;

/// The match recursed without end (a repeat of an empty match).
#[derive(Debug, Error, PartialEq, Eq)]
#[error("maximum recursion depth exceeded")]
pub struct Overflow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// `?`
    Optional,
    /// `*`
    Any,
    /// `+`
    Some,
}

#[derive(Debug)]
enum Node {
    Byte(u8),
    Dot,
    Class {
        negated: bool,
        ranges: Vec<(u8, u8)>,
    },
    /// `\d`, `\s`, `\w` (lower case) or their negations (upper case).
    Named(u8),
    Start,
    End,
    /// A group: the capture slot (`None` for `(?:...)`) and its alternatives.
    Group(Option<usize>, Vec<Vec<Node>>),
    Repeated {
        node: Box<Node>,
        repeat: Repeat,
        greedy: bool,
    },
}

/// A compiled pattern.
#[derive(Debug)]
pub struct Regex {
    branches: Vec<Vec<Node>>,
    groups: usize,
}

/// Where the whole match and each group matched: `(start, end)` byte offsets,
/// `None` for a group that took no part.
pub type Captures = Vec<Option<(usize, usize)>>;

struct Parser<'p> {
    pattern: &'p [u8],
    at: usize,
    groups: usize,
}

impl Parser<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.pattern.get(self.at + ahead).copied()
    }

    /// Alternatives up to the end of the pattern or a `)`, which is left unread.
    fn alternatives(&mut self) -> Result<Vec<Vec<Node>>, PatternError> {
        let mut branches = vec![Vec::new()];
        // Whether the last node may take a repeat.
        let mut repeatable = false;
        while let Some(c) = self.peek(0) {
            if c == b')' {
                break;
            }
            self.at += 1;
            let branch = branches.last_mut().expect("one branch at least");
            let node = match c {
                b'\\' => {
                    let escaped = self.peek(0).ok_or(PatternError)?;
                    self.at += 1;
                    match escaped | 0x20 {
                        b'd' | b's' | b'w' => Node::Named(escaped),
                        _ => Node::Byte(escaped),
                    }
                }
                b'.' => Node::Dot,
                b'[' => self.class()?,
                b'(' => self.group()?,
                b'?' | b'*' | b'+' => {
                    if !repeatable {
                        return Err(PatternError);
                    }
                    let repeat = match c {
                        b'?' => Repeat::Optional,
                        b'*' => Repeat::Any,
                        _ => Repeat::Some,
                    };
                    let greedy = self.peek(0) != Some(b'?');
                    if !greedy {
                        self.at += 1;
                    }
                    let node = Box::new(branch.pop().expect("a repeatable node"));
                    branch.push(Node::Repeated { node, repeat, greedy });
                    repeatable = false;
                    continue;
                }
                b'|' => {
                    branches.push(Vec::new());
                    repeatable = false;
                    continue;
                }
                b'^' | b'$' => {
                    branch.push(if c == b'^' { Node::Start } else { Node::End });
                    repeatable = false;
                    continue;
                }
                _ => Node::Byte(c),
            };
            branch.push(node);
            repeatable = true;
        }
        Ok(branches)
    }

    /// After `[`: single bytes and `a-z` ranges up to `]`.
    fn class(&mut self) -> Result<Node, PatternError> {
        let negated = self.peek(0) == Some(b'^');
        if negated {
            self.at += 1;
        }
        let mut ranges = Vec::new();
        loop {
            let low = self.peek(0).ok_or(PatternError)?;
            if low == b']' {
                self.at += 1;
                return Ok(Node::Class { negated, ranges });
            }
            let high = match (self.peek(1), self.peek(2)) {
                (Some(b'-'), Some(high)) if high != b']' => {
                    self.at += 2;
                    high
                }
                (Some(b'-'), None) => return Err(PatternError),
                _ => low,
            };
            self.at += 1;
            ranges.push((low, high));
        }
    }

    /// After `(`: a capturing group, or a plain one for `(?:`.
    fn group(&mut self) -> Result<Node, PatternError> {
        let slot = if self.peek(0) == Some(b'?') && self.peek(1) == Some(b':') {
            self.at += 2;
            None
        } else {
            self.groups += 1;
            Some(self.groups)
        };
        let body = self.alternatives()?;
        if self.peek(0) != Some(b')') {
            return Err(PatternError);
        }
        self.at += 1;
        Ok(Node::Group(slot, body))
    }
}

fn named_class_matches(name: u8, byte: u8) -> bool {
    let member = match name | 0x20 {
        b'd' => byte.is_ascii_digit(),
        b's' => byte == b' ' || (b'\t'..=b'\r').contains(&byte),
        _ => byte.is_ascii_alphanumeric() || byte == b'_',
    };
    member == name.is_ascii_lowercase()
}

/// What is still to be matched after a node: the rest of the current
/// sequence, then whatever encloses it.
type Continue<'k> = &'k mut dyn FnMut(usize, &mut Captures) -> bool;

struct Matcher<'s> {
    subject: &'s [u8],
    /// Set when the engine would recurse for ever; every path then stops.
    overflow: Cell<bool>,
}

impl Matcher<'_> {
    fn sequence(&self, nodes: &[Node], at: usize, caps: &mut Captures, then: Continue<'_>) -> bool {
        match nodes.split_first() {
            None => then(at, caps),
            Some((first, rest)) => self.node(first, at, caps, &mut |at, caps| self.sequence(rest, at, caps, then)),
        }
    }

    fn alternatives(&self, branches: &[Vec<Node>], at: usize, caps: &mut Captures, then: Continue<'_>) -> bool {
        branches.iter().any(|branch| self.sequence(branch, at, caps, then))
    }

    fn byte(&self, at: usize, test: impl Fn(u8) -> bool, caps: &mut Captures, then: Continue<'_>) -> bool {
        matches!(self.subject.get(at), Some(&b) if test(b)) && then(at + 1, caps)
    }

    fn node(&self, node: &Node, at: usize, caps: &mut Captures, then: Continue<'_>) -> bool {
        match node {
            Node::Byte(expected) => self.byte(at, |b| b == *expected, caps, then),
            Node::Dot => self.byte(at, |_| true, caps, then),
            Node::Class { negated, ranges } => {
                self.byte(at, |b| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&b)) != *negated, caps, then)
            }
            Node::Named(name) => self.byte(at, |b| named_class_matches(*name, b), caps, then),
            Node::Start => at == 0 && then(at, caps),
            Node::End => at == self.subject.len() && then(at, caps),
            Node::Group(None, body) => self.alternatives(body, at, caps, then),
            Node::Group(Some(slot), body) => {
                let before = caps[*slot];
                let matched = self.alternatives(body, at, caps, &mut |end, caps| {
                    let inner = caps[*slot];
                    caps[*slot] = Some((at, end));
                    then(end, caps) || {
                        caps[*slot] = inner;
                        false
                    }
                });
                if !matched {
                    caps[*slot] = before;
                }
                matched
            }
            Node::Repeated { node, repeat, greedy } => match repeat {
                Repeat::Optional => {
                    self.either(*greedy, at, caps, then, |m, at, caps, then| m.node(node, at, caps, then))
                }
                Repeat::Any => self.star(node, *greedy, at, caps, then),
                Repeat::Some => self.node(node, at, caps, &mut |at, caps| self.star(node, *greedy, at, caps, then)),
            },
        }
    }

    /// `node*`: more of `node` first when greedy, the rest first when lazy. An
    /// iteration that consumes nothing would loop for ever: it ends the match
    /// with [`Overflow`].
    fn star(&self, node: &Node, greedy: bool, at: usize, caps: &mut Captures, then: Continue<'_>) -> bool {
        self.either(greedy, at, caps, then, |m, at, caps, then| {
            m.node(node, at, caps, &mut |next, caps| {
                if next == at {
                    m.overflow.set(true);
                    return true;
                }
                m.star(node, greedy, next, caps, then)
            })
        })
    }

    /// Tries `more` then going on (greedy), or the other way round.
    fn either(
        &self,
        greedy: bool,
        at: usize,
        caps: &mut Captures,
        then: Continue<'_>,
        more: impl Fn(&Self, usize, &mut Captures, Continue<'_>) -> bool,
    ) -> bool {
        if greedy {
            return more(self, at, caps, then) || then(at, caps);
        }
        then(at, caps) || more(self, at, caps, then)
    }
}

impl Regex {
    /// Compiles `pattern` (its UTF-8 bytes for a str pattern).
    pub fn new(pattern: &[u8]) -> Result<Self, PatternError> {
        let mut parser = Parser { pattern, at: 0, groups: 0 };
        let branches = parser.alternatives()?;
        if parser.at != pattern.len() {
            return Err(PatternError); // an unmatched `)`
        }
        Ok(Self { branches, groups: parser.groups })
    }

    /// Number of capturing groups.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The first match starting at `from`, or (with `anchored` false) at any
    /// later offset; captures hold the whole match first, then each group.
    pub fn find(&self, subject: &[u8], from: usize, anchored: bool) -> Result<Option<Captures>, Overflow> {
        let matcher = Matcher { subject, overflow: Cell::new(false) };
        let last = if anchored { from } else { subject.len() };
        let found = (from..=last).find_map(|start| {
            let mut caps: Captures = vec![None; self.groups + 1];
            let mut end = None;
            matcher
                .alternatives(&self.branches, start, &mut caps, &mut |at, _| {
                    end = Some(at);
                    true
                })
                .then(|| {
                    caps[0] = end.map(|end| (start, end));
                    caps
                })
        });
        if matcher.overflow.get() { Err(Overflow) } else { Ok(found) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(pattern: &str, subject: &str) -> Option<Vec<Option<&'static str>>> {
        let subject: &'static str = Box::leak(subject.to_owned().into_boxed_str());
        let caps = Regex::new(pattern.as_bytes()).unwrap().find(subject.as_bytes(), 0, false).unwrap()?;
        Some(caps.into_iter().map(|c| c.map(|(s, e)| &subject[s..e])).collect())
    }

    #[test]
    fn leftmost_match_with_priorities() {
        assert_eq!(find("a+", "baaa"), Some(vec![Some("aaa")]));
        assert_eq!(find("a+?", "baaa"), Some(vec![Some("a")]));
        assert_eq!(find("a*?b", "aab"), Some(vec![Some("aab")]));
        assert_eq!(find("(a|ab)(c|bcd)", "abcd"), Some(vec![Some("abcd"), Some("a"), Some("bcd")]));
        assert_eq!(find("(a)|b", "b"), Some(vec![Some("b"), None]));
        assert_eq!(find("^b", "ab"), None);
        assert_eq!(find("b$", "abc"), None);
    }

    #[test]
    fn classes_and_escapes() {
        assert_eq!(find(r"\d+", "ab123c"), Some(vec![Some("123")]));
        assert_eq!(find(r"[^a-c]+", "abxyc"), Some(vec![Some("xy")]));
        assert_eq!(find(r"[a-]+", "x-a-"), Some(vec![Some("-a-")]));
        assert_eq!(find(r"\n", "n"), Some(vec![Some("n")]));
        assert_eq!(find("a{2}", "a{2}"), Some(vec![Some("a{2}")]));
        assert_eq!(find(r"\S\W", "a!"), Some(vec![Some("a!")]));
    }

    #[test]
    fn groups_keep_their_last_iteration() {
        assert_eq!(find("(?:(a)|b)+", "ab"), Some(vec![Some("ab"), Some("a")]));
        assert_eq!(find("(a|b)*c", "abc"), Some(vec![Some("abc"), Some("b")]));
    }

    #[test]
    fn a_repeat_of_an_empty_match_overflows() {
        for (pattern, subject) in [("(a*)*", "aaa"), ("(a|)+b", "b"), ("(?:a*)*?c", "ab")] {
            assert_eq!(Regex::new(pattern.as_bytes()).unwrap().find(subject.as_bytes(), 0, false), Err(Overflow));
        }
    }

    #[test]
    fn bad_patterns_are_refused() {
        for bad in ["*", "a**", "(", ")", "a)", "[a", "\\", "(?", "^*", "a|*", "[a-"] {
            assert_eq!(Regex::new(bad.as_bytes()).err(), Some(PatternError), "{bad}");
        }
    }
}
