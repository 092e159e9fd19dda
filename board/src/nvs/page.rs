//! One NVS page: its RAM view (state, bitmap, item headers) and the flash
//! writes that change it, in the order ESP-IDF 3.3 performs them.

use std::collections::BTreeMap;

use pycom_flash::Flash;
use pycom_formats::nvs::{
    BITMAP_OFFSET, CHUNK_ANY, CHUNK_MAX_SIZE, ENTRY_COUNT, ENTRY_SIZE, EntryBitmap, EntryState, FORMAT_VERSION, Item,
    ItemType, KEY_MAX_LEN, PAGE_SIZE, PageHeader, PageState, entry_offset, key_bytes,
};

use super::NvsError;

/// What a lookup inside one page asks for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Query<'a> {
    /// Namespace, or any.
    pub ns: Option<u8>,
    /// Type, or any.
    pub item_type: Option<ItemType>,
    /// Key, or any.
    pub key: Option<&'a [u8]>,
    /// Chunk index (blob data), `CHUNK_ANY` otherwise.
    pub chunk: u8,
    /// For blob indexes: the version offset wanted, or any.
    pub chunk_start: Option<u8>,
}

impl<'a> Query<'a> {
    /// The item `key` of `item_type` in namespace `ns`.
    pub fn typed(ns: u8, item_type: ItemType, key: &'a [u8]) -> Self {
        Self { ns: Some(ns), item_type: Some(item_type), key: Some(key), chunk: CHUNK_ANY, chunk_start: None }
    }

    /// Every item of namespace `ns` (or of all namespaces).
    pub fn all(ns: Option<u8>) -> Self {
        Self { ns, item_type: None, key: None, chunk: CHUNK_ANY, chunk_start: None }
    }

    /// The key `key` in `ns`, whatever its type.
    pub fn any_type(ns: u8, key: &'a [u8]) -> Self {
        Self { ns: Some(ns), item_type: None, key: Some(key), chunk: CHUNK_ANY, chunk_start: None }
    }
}

/// Why a lookup in one page found nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Miss {
    /// No item matched.
    NotFound,
    /// The first item with that namespace and key has another type; the search of
    /// this page stops there, as IDF's hash-list lookup does.
    TypeMismatch,
}

/// The RAM state of one page.
#[derive(Clone, Debug)]
pub(crate) struct Page {
    base: u32,
    state: PageState,
    seq: Option<u32>,
    bitmap: EntryBitmap,
    next_free: usize,
    used: usize,
    erased: usize,
    heads: BTreeMap<usize, Item>,
}

/// `strncmp(key, stored, 15) == 0`: keys compare on their first 15 bytes, up to a NUL.
fn strncmp15(key: &[u8], stored: &[u8; 16]) -> bool {
    let key = key_bytes(key);
    for i in 0..KEY_MAX_LEN {
        if key[i] != stored[i] {
            return false;
        }
        if key[i] == 0 {
            return true;
        }
    }
    true
}

impl Page {
    fn empty(base: u32) -> Self {
        Self {
            base,
            state: PageState::Uninitialized,
            seq: None,
            bitmap: EntryBitmap::default(),
            next_free: 0,
            used: 0,
            erased: 0,
            heads: BTreeMap::new(),
        }
    }

    /// Page state.
    pub fn state(&self) -> PageState {
        self.state
    }

    /// Sequence number, for pages in use.
    pub fn seq(&self) -> Option<u32> {
        self.seq
    }

    /// Entries holding live data.
    pub fn used_entries(&self) -> usize {
        self.used
    }

    /// Entries erased since the page was last erased.
    pub fn erased_entries(&self) -> usize {
        self.erased
    }

    /// Live item headers in entry order.
    pub fn items(&self) -> impl Iterator<Item = (usize, &Item)> {
        self.heads.iter().map(|(&i, item)| (i, item))
    }

    /// Assigns the sequence number the page will be initialised with.
    pub fn assign_seq(&mut self, seq: u32) {
        self.seq = Some(seq);
    }

    /// Payload bytes a blob chunk could still take here.
    pub fn var_data_tailroom(&self) -> usize {
        match self.state {
            PageState::Uninitialized => CHUNK_MAX_SIZE,
            PageState::Full => 0,
            _ => ENTRY_COUNT.saturating_sub(self.next_free + 1) * ENTRY_SIZE,
        }
    }

    /// Reads the page at `base` and repairs what a power cut left half done
    /// (`Page::load`). Fails only on flash errors and newer format versions.
    pub fn load(flash: &mut Flash, base: u32) -> Result<Self, NvsError> {
        let mut page = Self::empty(base);
        let mut raw = [0u8; 32];
        flash.read(base, &mut raw)?;
        let header = PageHeader::decode(&raw);
        if header.state() == PageState::Uninitialized && header.state_word == u32::MAX {
            let mut sector = vec![0u8; PAGE_SIZE];
            flash.read(base, &mut sector)?;
            if sector.iter().any(|&b| b != 0xFF) {
                page.state = PageState::Corrupt;
            }
            return Ok(page);
        }
        if !header.crc_valid() {
            page.state = PageState::Corrupt;
            return Ok(page);
        }
        if header.version < FORMAT_VERSION {
            return Err(NvsError::NewVersionFound);
        }
        page.state = header.state();
        if !matches!(page.state, PageState::Active | PageState::Full | PageState::Freeing) {
            page.state = PageState::Corrupt;
            return Ok(page);
        }
        page.seq = Some(header.seq);
        page.load_entry_table(flash)?;
        Ok(page)
    }

    fn read_entry(&self, flash: &mut Flash, index: usize) -> Result<[u8; 32], NvsError> {
        let mut raw = [0u8; 32];
        flash.read(self.base + entry_offset(index) as u32, &mut raw)?;
        Ok(raw)
    }

    fn read_item(&self, flash: &mut Flash, index: usize) -> Result<Item, NvsError> {
        Ok(Item::decode(&self.read_entry(flash, index)?))
    }

    fn load_entry_table(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        let mut raw = [0u8; 32];
        flash.read(self.base + BITMAP_OFFSET as u32, &mut raw)?;
        self.bitmap = EntryBitmap::decode(&raw);
        for i in 0..ENTRY_COUNT {
            match self.bitmap.get(i) {
                EntryState::Written => self.used += 1,
                EntryState::Erased => self.erased += 1,
                _ => {}
            }
        }
        if self.state == PageState::Active { self.load_active_tail(flash) } else { self.load_sealed_items(flash) }
    }

    /// Active page: skip half-written entries after the last bitmap update, drop
    /// items with bad CRCs or incomplete spans, and older duplicates.
    fn load_active_tail(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        self.next_free = (0..ENTRY_COUNT).find(|&i| self.bitmap.get(i) == EntryState::Empty).unwrap_or(ENTRY_COUNT);
        while self.next_free < ENTRY_COUNT {
            let first_word = &self.read_entry(flash, self.next_free)?[..4];
            if first_word == [0xFF; 4] {
                break;
            }
            let was = self.bitmap.get(self.next_free);
            self.alter_entry_state(flash, self.next_free, EntryState::Erased)?;
            if was == EntryState::Written {
                self.used -= 1;
            }
            self.erased += 1;
            self.next_free += 1;
        }
        let mut last_item: Option<(usize, Item)> = None;
        let mut i = 0;
        while i < self.next_free {
            let mut span = 1;
            match self.bitmap.get(i) {
                EntryState::Erased => last_item = None,
                EntryState::Illegal | EntryState::Empty => {
                    last_item = None;
                    self.erase_entry_and_span(flash, i)?;
                }
                EntryState::Written => {
                    let item = self.read_item(flash, i)?;
                    last_item = Some((i, item));
                    if !item.crc_valid() {
                        self.erase_entry_and_span(flash, i)?;
                        last_item = None;
                    } else {
                        let duplicate = self.first_same_identity(&item);
                        self.heads.insert(i, item);
                        let var_length = item.item_type().is_some_and(ItemType::is_variable_length);
                        if var_length {
                            span = usize::from(item.span).max(1);
                            let complete =
                                (i..i + span).all(|j| j < ENTRY_COUNT && self.bitmap.get(j) == EntryState::Written);
                            if !complete {
                                self.erase_entry_and_span(flash, i)?;
                                last_item = None;
                                i += span;
                                continue;
                            }
                        }
                        if let Some(older) = duplicate {
                            self.erase_entry_and_span(flash, older)?;
                        }
                    }
                }
            }
            i += span;
        }
        if let Some((index, item)) = last_item
            && let Some(item_type) = item.item_type()
            && let Ok((found, _)) = self.find(Query::typed(item.ns, item_type, item.key_str()), 0)
            && found < index
        {
            self.erase_entry_and_span(flash, found)?;
        }
        Ok(())
    }

    /// Full or freeing page: drop items with bad CRCs or incomplete spans.
    fn load_sealed_items(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        self.next_free = ENTRY_COUNT;
        let mut i = 0;
        while i < ENTRY_COUNT {
            if self.bitmap.get(i) != EntryState::Written {
                i += 1;
                continue;
            }
            let item = self.read_item(flash, i)?;
            if !item.crc_valid() || item.span == 0 {
                self.erase_entry_and_span(flash, i)?;
                i += 1;
                continue;
            }
            self.heads.insert(i, item);
            let span = usize::from(item.span);
            if item.item_type().is_some_and(ItemType::is_variable_length)
                && (i + 1..i + span).any(|j| j >= ENTRY_COUNT || self.bitmap.get(j) != EntryState::Written)
            {
                self.erase_entry_and_span(flash, i)?;
            }
            i += span;
        }
        Ok(())
    }

    /// The first live item with the same namespace, key field and chunk index
    /// (what IDF's 24-bit item hash stands for; the type is not part of it).
    fn first_same_identity(&self, item: &Item) -> Option<usize> {
        self.heads.iter().find(|(_, h)| h.ns == item.ns && h.key == item.key && h.chunk == item.chunk).map(|(&i, _)| i)
    }

    /// `Page::findItem`: the first live item from entry `from` on matching `query`.
    pub fn find(&self, query: Query<'_>, from: usize) -> Result<(usize, Item), Miss> {
        if !matches!(self.state, PageState::Active | PageState::Full | PageState::Freeing) {
            return Err(Miss::NotFound);
        }
        let mut start = from;
        if let (Some(ns), Some(item_type), Some(key)) = (query.ns, query.item_type, query.key) {
            let probe = Item::new(ns, item_type, 0, key, query.chunk);
            match self
                .heads
                .range(from..)
                .find(|(_, h)| h.ns == probe.ns && h.key == probe.key && h.chunk == probe.chunk)
            {
                Some((&i, _)) => start = i,
                None => return Err(Miss::NotFound),
            }
        }
        for (&i, item) in self.heads.range(start..) {
            if query.ns.is_some_and(|ns| ns != item.ns) {
                continue;
            }
            if query.key.is_some_and(|key| !strncmp15(key, &item.key)) {
                continue;
            }
            if query.chunk != CHUNK_ANY && query.item_type == Some(ItemType::BlobData) && item.chunk != query.chunk {
                continue;
            }
            if query.item_type == Some(ItemType::BlobIndex) {
                if item.chunk != CHUNK_ANY {
                    continue;
                }
                if query.chunk_start.is_some_and(|start| item.blob_index().chunk_start != start) {
                    continue;
                }
            }
            if let Some(wanted) = query.item_type
                && item.type_code != wanted.code()
            {
                if query.key.is_none() && query.ns.is_none() && query.chunk == CHUNK_ANY {
                    continue;
                }
                return Err(Miss::TypeMismatch);
            }
            return Ok((i, *item));
        }
        Err(Miss::NotFound)
    }

    /// Reads the payload of the string or blob chunk at `index`; a payload whose
    /// CRC does not match is erased and reported missing.
    pub fn read_payload(&mut self, flash: &mut Flash, index: usize, item: &Item) -> Result<Vec<u8>, NvsError> {
        let size = usize::from(item.var_length().size);
        let entries = usize::from(item.span).saturating_sub(1);
        if index + 1 + entries > ENTRY_COUNT || size > entries * ENTRY_SIZE {
            self.erase_entry_and_span(flash, index)?;
            return Err(NvsError::NotFound);
        }
        let mut data = vec![0u8; entries * ENTRY_SIZE];
        flash.read(self.base + entry_offset(index + 1) as u32, &mut data)?;
        data.truncate(size);
        if pycom_formats::crc32::esp_crc32(&data) != item.var_length().crc {
            self.erase_entry_and_span(flash, index)?;
            return Err(NvsError::NotFound);
        }
        Ok(data)
    }

    /// Writes the page header (`Page::initialize`).
    fn initialize(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        let seq = self.seq.unwrap_or(0);
        flash.write(self.base, &PageHeader::active(seq).encode())?;
        self.state = PageState::Active;
        self.seq = Some(seq);
        self.next_free = 0;
        self.bitmap = EntryBitmap::default();
        Ok(())
    }

    fn write_entry(&mut self, flash: &mut Flash, raw: &[u8; 32]) -> Result<(), NvsError> {
        flash.write(self.base + entry_offset(self.next_free) as u32, raw)?;
        self.alter_entry_state(flash, self.next_free, EntryState::Written)?;
        self.used += 1;
        self.next_free += 1;
        Ok(())
    }

    /// `Page::writeItem`: header entry, its bitmap bit, whole data entries, their
    /// bitmap bits, then the last partial data entry.
    pub fn write_item(
        &mut self,
        flash: &mut Flash,
        ns: u8,
        item_type: ItemType,
        key: &[u8],
        payload: &[u8],
        chunk: u8,
    ) -> Result<(), NvsError> {
        if self.state == PageState::Uninitialized {
            self.initialize(flash)?;
        }
        if self.state == PageState::Full {
            return Err(NvsError::PageFull);
        }
        let key_len = key.iter().position(|&b| b == 0).unwrap_or(key.len());
        if key_len > KEY_MAX_LEN {
            return Err(NvsError::KeyTooLong);
        }
        if payload.len() > CHUNK_MAX_SIZE {
            return Err(NvsError::ValueTooLong);
        }
        let var_length = item_type.is_variable_length();
        let span = if var_length { Item::span_for_payload(payload.len()) } else { 1 };
        if self.next_free + span > ENTRY_COUNT {
            return Err(NvsError::PageFull);
        }
        let mut item = Item::new(ns, item_type, span as u8, key, chunk);
        let index = self.next_free;
        if var_length {
            item.set_var_length(payload);
        } else {
            item.data[..payload.len()].copy_from_slice(payload);
        }
        let item = item.seal();
        self.heads.insert(index, item);
        self.write_entry(flash, &item.encode())?;
        if var_length {
            let whole = payload.len() / ENTRY_SIZE * ENTRY_SIZE;
            if whole > 0 {
                let first = self.next_free;
                let count = whole / ENTRY_SIZE;
                flash.write(self.base + entry_offset(first) as u32, &payload[..whole])?;
                self.alter_entry_range_state(flash, first, first + count, EntryState::Written)?;
                self.used += count;
                self.next_free += count;
            }
            let tail = &payload[whole..];
            if !tail.is_empty() {
                let mut last = [0xFFu8; 32];
                last[..tail.len()].copy_from_slice(tail);
                self.write_entry(flash, &last)?;
            }
        }
        Ok(())
    }

    /// Erases the item at `index` and the data entries it spans.
    pub fn erase_entry_and_span(&mut self, flash: &mut Flash, index: usize) -> Result<(), NvsError> {
        let mut span = 1;
        if self.bitmap.get(index) == EntryState::Written {
            let item = self.read_item(flash, index)?;
            self.heads.remove(&index);
            if item.crc_valid() {
                span = usize::from(item.span).clamp(1, ENTRY_COUNT - index);
            }
            let end = index + span;
            for j in (index..end).rev() {
                if self.bitmap.get(j) == EntryState::Written {
                    self.used -= 1;
                }
                self.erased += 1;
            }
            self.alter_entry_range_state(flash, index, end, EntryState::Erased)?;
        } else {
            self.heads.remove(&index);
            self.alter_entry_state(flash, index, EntryState::Erased)?;
        }
        if index + span > self.next_free {
            self.next_free = index + span;
        }
        Ok(())
    }

    /// Erases the first item matching `query`.
    pub fn erase_item(&mut self, flash: &mut Flash, query: Query<'_>) -> Result<(), NvsError> {
        match self.find(query, 0) {
            Ok((index, _)) => self.erase_entry_and_span(flash, index),
            Err(Miss::NotFound) => Err(NvsError::NotFound),
            Err(Miss::TypeMismatch) => Err(NvsError::TypeMismatch),
        }
    }

    fn alter_entry_state(&mut self, flash: &mut Flash, index: usize, state: EntryState) -> Result<(), NvsError> {
        self.alter_entry_range_state(flash, index, index + 1, state)
    }

    /// Sets the states of `begin..end`, writing each touched bitmap word once,
    /// from the last entry backwards.
    fn alter_entry_range_state(
        &mut self,
        flash: &mut Flash,
        begin: usize,
        end: usize,
        state: EntryState,
    ) -> Result<(), NvsError> {
        let mut dirty_word = None;
        for i in (begin..end).rev() {
            let word = EntryBitmap::word_of(i);
            if dirty_word.is_some_and(|w| w != word) {
                self.write_bitmap_word(flash, dirty_word.take().expect("checked"))?;
            }
            if self.bitmap.get(i) != state {
                self.bitmap.set(i, state);
                dirty_word = Some(word);
            }
        }
        if let Some(word) = dirty_word {
            self.write_bitmap_word(flash, word)?;
        }
        Ok(())
    }

    fn write_bitmap_word(&mut self, flash: &mut Flash, word: usize) -> Result<(), NvsError> {
        flash.write(self.base + (BITMAP_OFFSET + 4 * word) as u32, &self.bitmap.word_bytes(word))?;
        Ok(())
    }

    fn alter_page_state(&mut self, flash: &mut Flash, state: PageState) -> Result<(), NvsError> {
        flash.write(self.base, &state.to_word().to_le_bytes())?;
        self.state = state;
        Ok(())
    }

    /// Marks the page full (no more writes go here).
    pub fn mark_full(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        if self.state == PageState::Full {
            return Ok(());
        }
        self.alter_page_state(flash, PageState::Full)
    }

    /// Marks the page as being emptied by garbage collection.
    pub fn mark_freeing(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        self.alter_page_state(flash, PageState::Freeing)
    }

    /// Erases the sector: the page is free again.
    pub fn erase(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        flash.erase(self.base, self.base + PAGE_SIZE as u32)?;
        *self = Self::empty(self.base);
        Ok(())
    }

    /// `Page::copyItems`: copies every live item, entry by entry, into `other`.
    pub fn copy_items(&self, flash: &mut Flash, other: &mut Page) -> Result<(), NvsError> {
        if self.heads.is_empty() {
            return Ok(());
        }
        if other.state == PageState::Uninitialized {
            other.initialize(flash)?;
        }
        for (&index, item) in &self.heads {
            let span = usize::from(item.span).max(1);
            other.heads.insert(other.next_free, *item);
            for j in index..(index + span).min(ENTRY_COUNT) {
                let raw = self.read_entry(flash, j)?;
                other.write_entry(flash, &raw)?;
            }
        }
        Ok(())
    }

    /// Entries free for new items.
    pub fn free_entries(&self) -> usize {
        match self.state {
            PageState::Uninitialized => ENTRY_COUNT,
            PageState::Active => ENTRY_COUNT - self.next_free,
            _ => 0,
        }
    }
}
