//! The page manager: which pages are in use (in sequence order), which are free,
//! and garbage collection when a new page is needed.

use std::collections::VecDeque;

use pycom_flash::Flash;
use pycom_formats::nvs::{ENTRY_COUNT, PAGE_SIZE, PageState};

use super::NvsError;
use super::page::{Page, Query};

/// All pages of a partition.
#[derive(Clone, Debug)]
pub(crate) struct Pages {
    pages: Vec<Page>,
    used: Vec<usize>,
    free: VecDeque<usize>,
    next_seq: u32,
}

impl Pages {
    /// `PageManager::load`: reads every page, orders the used ones by sequence
    /// number and finishes what a power cut interrupted.
    pub fn load(flash: &mut Flash, base: u32, count: usize) -> Result<Self, NvsError> {
        let mut pages = Vec::with_capacity(count);
        let mut used: Vec<usize> = Vec::new();
        let mut free = VecDeque::new();
        for i in 0..count {
            let page = Page::load(flash, base + (i * PAGE_SIZE) as u32)?;
            match page.seq() {
                Some(seq) => {
                    let at = used.iter().position(|&u| pages_seq(&pages, u) > seq).unwrap_or(used.len());
                    used.insert(at, i);
                }
                None => free.push_back(i),
            }
            pages.push(page);
        }
        let mut this = Self { pages, used, free, next_seq: 0 };
        match this.used.last() {
            None => {
                this.activate(flash)?;
                return Ok(this);
            }
            Some(&last) => this.next_seq = this.pages[last].seq().unwrap_or(0).wrapping_add(1),
        }
        this.erase_stale_duplicate(flash)?;
        this.finish_interrupted_gc(flash)?;
        if this.free.is_empty() {
            return Err(NvsError::NoFreePages);
        }
        Ok(this)
    }

    /// If power went out between writing a new item and erasing the old one, the
    /// last item of the newest page has an older twin: erase it.
    fn erase_stale_duplicate(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        let newest = *self.used.last().expect("pages in use");
        let Some((_, item)) = self.pages[newest].items().last().map(|(i, item)| (i, *item)) else {
            return Ok(());
        };
        let Some(item_type) = item.item_type() else {
            return Ok(());
        };
        let key = item.key_str().to_vec();
        let mut query = Query::typed(item.ns, item_type, &key);
        query.chunk = item.chunk;
        for &p in &self.used[..self.used.len() - 1] {
            if self.pages[p].state() != PageState::Freeing && self.pages[p].erase_item(flash, query).is_ok() {
                break;
            }
        }
        Ok(())
    }

    /// A page left FREEING: redo its copy into a fresh page, then erase it.
    fn finish_interrupted_gc(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        let Some(pos) = self.used.iter().position(|&p| self.pages[p].state() == PageState::Freeing) else {
            return Ok(());
        };
        let freeing = self.used[pos];
        let newest = *self.used.last().expect("pages in use");
        if newest != freeing && self.pages[newest].state() == PageState::Active {
            self.pages[newest].erase(flash)?;
            self.used.pop();
            self.free.push_back(newest);
        }
        self.activate(flash)?;
        self.move_items(flash, freeing)
    }

    /// Copies the live items of `victim` into the newest page, erases `victim` and
    /// frees it.
    fn move_items(&mut self, flash: &mut Flash, victim: usize) -> Result<(), NvsError> {
        let target = *self.used.last().expect("a page was just activated");
        let source = self.pages[victim].clone();
        source.copy_items(flash, &mut self.pages[target])?;
        self.pages[victim].erase(flash)?;
        self.used.retain(|&p| p != victim);
        self.free.push_back(victim);
        Ok(())
    }

    /// `PageManager::activatePage`: the next free page becomes the current one.
    fn activate(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        let Some(&next) = self.free.front() else {
            return Err(NvsError::NotEnoughSpace);
        };
        if self.pages[next].state() == PageState::Corrupt {
            self.pages[next].erase(flash)?;
        }
        self.free.pop_front();
        self.used.push(next);
        self.pages[next].assign_seq(self.next_seq);
        self.next_seq = self.next_seq.wrapping_add(1);
        Ok(())
    }

    /// `PageManager::requestNewPage`: activates a free page, collecting garbage
    /// from the page with the most reclaimable entries when only the reserve
    /// page is left.
    pub fn request_new_page(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        if self.free.len() >= 2 {
            return self.activate(flash);
        }
        let mut victim = None;
        let mut most_unused = 0;
        for &p in &self.used {
            let unused = ENTRY_COUNT - self.pages[p].used_entries();
            if unused > most_unused {
                victim = Some(p);
                most_unused = unused;
            }
        }
        let Some(victim) = victim else {
            return Err(NvsError::NotEnoughSpace);
        };
        self.activate(flash)?;
        self.pages[victim].mark_freeing(flash)?;
        self.move_items(flash, victim)
    }

    /// The page new items go to.
    pub fn current(&mut self) -> &mut Page {
        let last = *self.used.last().expect("a loaded partition always has a current page");
        &mut self.pages[last]
    }

    /// Pages in use, oldest first.
    pub fn in_use(&self) -> impl Iterator<Item = &Page> {
        self.used.iter().map(|&p| &self.pages[p])
    }

    /// Sector indexes of the pages in use, oldest first.
    pub fn used_indexes(&self) -> Vec<usize> {
        self.used.clone()
    }

    /// The page in sector `index` of the partition.
    pub fn page_mut(&mut self, index: usize) -> &mut Page {
        &mut self.pages[index]
    }

    /// Every page in sector order.
    pub fn all(&self) -> &[Page] {
        &self.pages
    }
}

fn pages_seq(pages: &[Page], index: usize) -> u32 {
    pages[index].seq().unwrap_or(0)
}
