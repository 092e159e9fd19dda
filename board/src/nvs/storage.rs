//! `nvs::Storage`: namespaces, typed reads and writes, multi-page blobs.

use pycom_flash::Flash;
use pycom_formats::nvs::{
    BlobIndex, CHUNK_ANY, CHUNK_MAX_SIZE, ENTRY_COUNT, ENTRY_SIZE, Item, ItemType, KEY_MAX_LEN, NS_TABLE, PAGE_SIZE,
    PageState,
};

use super::page::Query;
use super::pages::Pages;
use super::{NvsError, Value};

/// A mounted NVS partition. Every call takes the flash chip it lives on.
#[derive(Clone, Debug)]
pub struct Nvs {
    base: u32,
    page_count: usize,
    pages: Pages,
    namespaces: Vec<(String, u8)>,
}

/// One stored key, as a listing shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Entry {
    /// Namespace name.
    pub namespace: String,
    /// Key.
    pub key: String,
    /// Value (typed).
    pub value: Value,
}

/// Entry usage of the partition (`nvs_get_stats`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct NvsStats {
    /// Entries holding live data.
    pub used_entries: usize,
    /// Entries free for writing (the reserve page included).
    pub free_entries: usize,
    /// Entries erased and waiting for garbage collection.
    pub erased_entries: usize,
    /// Namespaces defined.
    pub namespaces: usize,
}

const VER_0_OFFSET: u8 = 0x00;
const VER_1_OFFSET: u8 = 0x80;

impl Nvs {
    /// `nvs_flash_init_custom`: mounts the partition at `base` of `size` bytes,
    /// repairing what a power cut interrupted.
    pub fn mount(flash: &mut Flash, base: u32, size: u32) -> Result<Self, NvsError> {
        let page_count = size as usize / PAGE_SIZE;
        let pages = Pages::load(flash, base, page_count)?;
        let mut nvs = Self { base, page_count, pages, namespaces: Vec::new() };
        nvs.load_namespaces();
        nvs.erase_orphan_blob_chunks(flash)?;
        Ok(nvs)
    }

    /// `nvs_flash_erase`: erases the whole partition.
    pub fn erase_partition(flash: &mut Flash, base: u32, size: u32) -> Result<(), NvsError> {
        flash.erase(base, base + size)?;
        Ok(())
    }

    fn load_namespaces(&mut self) {
        let mut found = Vec::new();
        for page in self.pages.in_use() {
            let mut from = 0;
            while let Ok((index, item)) =
                page.find(Query { item_type: Some(ItemType::U8), ..Query::all(Some(NS_TABLE)) }, from)
            {
                found.push((String::from_utf8_lossy(item.key_str()).into_owned(), item.data[0]));
                from = index + usize::from(item.span).max(1);
            }
        }
        self.namespaces = found;
    }

    fn erase_orphan_blob_chunks(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        let indexes: Vec<(u8, [u8; 16], BlobIndex)> = self
            .all_items()
            .filter(|(_, item)| item.item_type() == Some(ItemType::BlobIndex))
            .map(|(_, item)| (item.ns, item.key, item.blob_index()))
            .collect();
        let orphans: Vec<(usize, usize)> = self
            .all_items()
            .filter(|(_, item)| item.item_type() == Some(ItemType::BlobData))
            .filter(|(_, item)| {
                !indexes.iter().any(|(ns, key, idx)| {
                    *ns == item.ns
                        && key[..KEY_MAX_LEN] == item.key[..KEY_MAX_LEN]
                        && item.chunk >= idx.chunk_start
                        && u16::from(item.chunk) < u16::from(idx.chunk_start) + u16::from(idx.chunk_count)
                })
            })
            .map(|(loc, _)| loc)
            .collect();
        for (page, index) in orphans {
            self.pages.page_mut(page).erase_entry_and_span(flash, index)?;
        }
        Ok(())
    }

    /// Every live item header with its (sector, entry) location, oldest page first.
    fn all_items(&self) -> impl Iterator<Item = ((usize, usize), Item)> + '_ {
        self.pages
            .used_indexes()
            .into_iter()
            .flat_map(move |p| self.pages.all()[p].items().map(move |(i, item)| ((p, i), *item)).collect::<Vec<_>>())
    }

    /// The index of namespace `name`, creating it if `create` (`nvs_open`).
    pub fn open_namespace(&mut self, flash: &mut Flash, name: &str, create: bool) -> Result<u8, NvsError> {
        if name.is_empty() || name.len() > KEY_MAX_LEN {
            return Err(NvsError::InvalidName);
        }
        if let Some((_, index)) = self.namespaces.iter().find(|(n, _)| n == name) {
            return Ok(*index);
        }
        if !create {
            return Err(NvsError::NotFound);
        }
        let index =
            (1..255u8).find(|i| !self.namespaces.iter().any(|(_, used)| used == i)).ok_or(NvsError::NotEnoughSpace)?;
        self.write_item(flash, NS_TABLE, ItemType::U8, name.as_bytes(), &[index])?;
        self.namespaces.push((name.to_owned(), index));
        Ok(index)
    }

    /// Namespace names and indexes.
    pub fn namespaces(&self) -> &[(String, u8)] {
        &self.namespaces
    }

    /// `Storage::findItem`: the first page (oldest first) where `query` matches.
    fn find(&self, query: Query<'_>) -> Result<(usize, usize, Item), NvsError> {
        for p in self.pages.used_indexes() {
            if let Ok((index, item)) = self.pages.all()[p].find(query, 0) {
                return Ok((p, index, item));
            }
        }
        Err(NvsError::NotFound)
    }

    /// Stores `value` under `key` in namespace `ns` (`nvs_set_*`).
    pub fn set(&mut self, flash: &mut Flash, ns: u8, key: &[u8], value: &Value) -> Result<(), NvsError> {
        match value {
            Value::Blob(data) => self.write_blob(flash, ns, key, data),
            Value::Str(s) => self.set_str_bytes(flash, ns, key, s.as_bytes()),
            primitive => {
                let bytes = primitive.primitive_bytes().expect("not a string or blob");
                self.write_item(flash, ns, primitive.item_type(), key, &bytes)
            }
        }
    }

    /// `nvs_set_str` of a C string: `value` (no NUL in it) stored with a terminating NUL.
    pub fn set_str_bytes(&mut self, flash: &mut Flash, ns: u8, key: &[u8], value: &[u8]) -> Result<(), NvsError> {
        let mut payload = value.to_vec();
        payload.push(0);
        self.write_item(flash, ns, ItemType::Str, key, &payload)
    }

    /// `nvs_get_str` as a C string: the bytes stored under `key` up to the NUL, whatever they are.
    pub fn get_str_bytes(&mut self, flash: &mut Flash, ns: u8, key: &[u8]) -> Result<Vec<u8>, NvsError> {
        let (p, index, item) = self.find(Query::typed(ns, ItemType::Str, key))?;
        let mut bytes = self.pages.page_mut(p).read_payload(flash, index, &item)?;
        bytes.truncate(c_string_len(&bytes));
        Ok(bytes)
    }

    /// `Storage::writeItem` for primitives and strings: skip identical values,
    /// write the new item (collecting garbage if the page is full), then erase
    /// the old one of the same type.
    fn write_item(
        &mut self,
        flash: &mut Flash,
        ns: u8,
        item_type: ItemType,
        key: &[u8],
        payload: &[u8],
    ) -> Result<(), NvsError> {
        let old = self.find(Query::typed(ns, item_type, key)).ok();
        if let Some((p, index, item)) = old
            && self.stored_payload(flash, p, index, &item)?.as_deref() == Some(payload)
        {
            return Ok(());
        }
        match self.pages.current().write_item(flash, ns, item_type, key, payload, CHUNK_ANY) {
            Err(NvsError::PageFull) => {
                self.pages.current().mark_full(flash)?;
                self.pages.request_new_page(flash)?;
                match self.pages.current().write_item(flash, ns, item_type, key, payload, CHUNK_ANY) {
                    Err(NvsError::PageFull) => return Err(NvsError::NotEnoughSpace),
                    other => other?,
                }
            }
            other => other?,
        }
        if old.is_some() {
            let (p, index, _) = self.find(Query::typed(ns, item_type, key))?;
            self.pages.page_mut(p).erase_entry_and_span(flash, index)?;
        }
        Ok(())
    }

    /// The stored bytes of an item, as `write_item` would be given them.
    fn stored_payload(
        &mut self,
        flash: &mut Flash,
        p: usize,
        index: usize,
        item: &Item,
    ) -> Result<Option<Vec<u8>>, NvsError> {
        let Some(item_type) = item.item_type() else { return Ok(None) };
        if item_type.is_variable_length() {
            return match self.pages.page_mut(p).read_payload(flash, index, item) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(NvsError::NotFound) => Ok(None),
                Err(e) => Err(e),
            };
        }
        let size = if item_type == ItemType::BlobIndex { 8 } else { item_type.primitive_size() };
        Ok(Some(item.data[..size].to_vec()))
    }

    /// `Storage::writeMultiPageBlob` preceded by the version toggle of an update.
    fn write_blob(&mut self, flash: &mut Flash, ns: u8, key: &[u8], data: &[u8]) -> Result<(), NvsError> {
        let old = self.find(Query::typed(ns, ItemType::BlobIndex, key)).ok();
        let mut start = VER_0_OFFSET;
        if let Some((_, _, index)) = old {
            if self.read_blob(flash, ns, key).ok().as_deref() == Some(data) {
                return Ok(());
            }
            start = if index.blob_index().chunk_start == VER_1_OFFSET { VER_0_OFFSET } else { VER_1_OFFSET };
        }
        self.write_blob_chunks(flash, ns, key, data, start)?;
        if let Some((_, _, index)) = old {
            self.erase_blob(flash, ns, key, Some(index.blob_index().chunk_start))?;
        }
        Ok(())
    }

    fn write_blob_chunks(
        &mut self,
        flash: &mut Flash,
        ns: u8,
        key: &[u8],
        data: &[u8],
        start: u8,
    ) -> Result<(), NvsError> {
        if data.len() > self.max_blob_len() {
            return Err(NvsError::ValueTooLong);
        }
        let mut written: Vec<(usize, u8)> = Vec::new();
        let result = self.write_chunks(flash, ns, key, data, start, &mut written);
        if result.is_err() && !matches!(result, Err(NvsError::Flash(_))) {
            for (p, chunk) in written {
                let mut query = Query::typed(ns, ItemType::BlobData, key);
                query.chunk = chunk;
                let _ = self.pages.page_mut(p).erase_item(flash, query);
            }
        }
        result
    }

    fn write_chunks(
        &mut self,
        flash: &mut Flash,
        ns: u8,
        key: &[u8],
        data: &[u8],
        start: u8,
        written: &mut Vec<(usize, u8)>,
    ) -> Result<(), NvsError> {
        let mut offset = 0;
        let mut count: u8 = 0;
        loop {
            let tailroom = self.pages.current().var_data_tailroom();
            let remaining = data.len() - offset;
            if count == 0 && tailroom < remaining && tailroom < CHUNK_MAX_SIZE / 10 {
                self.pages.current().mark_full(flash)?;
                self.pages.request_new_page(flash)?;
                if self.pages.current().var_data_tailroom() == tailroom {
                    return Err(NvsError::NotEnoughSpace);
                }
                continue;
            }
            if tailroom == 0 {
                return Err(NvsError::NotEnoughSpace);
            }
            let size = remaining.min(tailroom);
            let chunk = start.wrapping_add(count);
            self.pages.current().write_item(flash, ns, ItemType::BlobData, key, &data[offset..offset + size], chunk)?;
            written.push((*self.pages.used_indexes().last().expect("current page"), chunk));
            count += 1;
            offset += size;
            if offset < data.len() || tailroom - size < ENTRY_SIZE {
                self.pages.current().mark_full(flash)?;
                self.pages.request_new_page(flash)?;
            }
            if offset == data.len() {
                let mut index = Item::new(ns, ItemType::BlobIndex, 1, key, CHUNK_ANY);
                index.set_blob_index(BlobIndex { size: data.len() as u32, chunk_count: count, chunk_start: start });
                return self.pages.current().write_item(flash, ns, ItemType::BlobIndex, key, &index.data, CHUNK_ANY);
            }
        }
    }

    /// Reads `key` as `item_type` (`nvs_get_*`); strings come back without their NUL.
    pub fn get(&mut self, flash: &mut Flash, ns: u8, key: &[u8], item_type: ItemType) -> Result<Value, NvsError> {
        match item_type {
            ItemType::Str => {
                let (p, index, item) = self.find(Query::typed(ns, ItemType::Str, key))?;
                let bytes = self.pages.page_mut(p).read_payload(flash, index, &item)?;
                Ok(string_value(&bytes))
            }
            ItemType::BlobIndex | ItemType::BlobData | ItemType::BlobV1 => {
                self.read_blob(flash, ns, key).map(Value::Blob)
            }
            primitive => {
                let (_, _, item) = self.find(Query::typed(ns, primitive, key))?;
                Value::from_primitive(primitive, &item.data).ok_or(NvsError::TypeMismatch)
            }
        }
    }

    /// `Storage::readMultiPageBlob`, falling back to a legacy single-page blob.
    fn read_blob(&mut self, flash: &mut Flash, ns: u8, key: &[u8]) -> Result<Vec<u8>, NvsError> {
        let Ok((_, _, index)) = self.find(Query::typed(ns, ItemType::BlobIndex, key)) else {
            let (p, i, item) = self.find(Query::typed(ns, ItemType::BlobV1, key))?;
            return self.pages.page_mut(p).read_payload(flash, i, &item);
        };
        let index = index.blob_index();
        let mut data = Vec::with_capacity(index.size as usize);
        for n in 0..index.chunk_count {
            let mut query = Query::typed(ns, ItemType::BlobData, key);
            query.chunk = index.chunk_start.wrapping_add(n);
            let found = self.find(query).and_then(|(p, i, item)| self.pages.page_mut(p).read_payload(flash, i, &item));
            match found {
                Ok(chunk) => data.extend_from_slice(&chunk),
                Err(NvsError::NotFound) => {
                    self.erase_blob(flash, ns, key, None)?;
                    return Err(NvsError::NotFound);
                }
                Err(e) => return Err(e),
            }
        }
        if data.len() != index.size as usize {
            return Err(NvsError::NotFound);
        }
        Ok(data)
    }

    /// `Storage::eraseMultiPageBlob`: the index first, then its chunks.
    fn erase_blob(&mut self, flash: &mut Flash, ns: u8, key: &[u8], version: Option<u8>) -> Result<(), NvsError> {
        let mut query = Query::typed(ns, ItemType::BlobIndex, key);
        query.chunk_start = version;
        let (p, i, item) = self.find(query)?;
        self.pages.page_mut(p).erase_entry_and_span(flash, i)?;
        let index = item.blob_index();
        for n in 0..index.chunk_count {
            let mut query = Query::typed(ns, ItemType::BlobData, key);
            query.chunk = index.chunk_start.wrapping_add(n);
            if let Ok((p, i, _)) = self.find(query) {
                self.pages.page_mut(p).erase_entry_and_span(flash, i)?;
            }
        }
        Ok(())
    }

    /// Erases `key` whatever its type (`nvs_erase_key`): the first match, oldest page first.
    pub fn erase_key(&mut self, flash: &mut Flash, ns: u8, key: &[u8]) -> Result<(), NvsError> {
        let (p, index, item) = self.find(Query::any_type(ns, key))?;
        match item.item_type() {
            Some(ItemType::BlobData | ItemType::BlobIndex) => self.erase_blob(flash, ns, key, None),
            _ => self.pages.page_mut(p).erase_entry_and_span(flash, index),
        }
    }

    /// Erases every key of namespace `ns` (`nvs_erase_all`).
    pub fn erase_namespace(&mut self, flash: &mut Flash, ns: u8) -> Result<(), NvsError> {
        for p in self.pages.used_indexes() {
            loop {
                match self.pages.page_mut(p).erase_item(flash, Query::all(Some(ns))) {
                    Ok(()) => {}
                    Err(NvsError::NotFound) => break,
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Every key of every namespace (or of `namespace`) with its value, oldest page first.
    pub fn entries(&mut self, flash: &mut Flash, namespace: Option<u8>) -> Result<Vec<Entry>, NvsError> {
        let heads: Vec<((usize, usize), Item)> = self
            .all_items()
            .filter(|(_, item)| item.ns != NS_TABLE && namespace.is_none_or(|ns| ns == item.ns))
            .collect();
        let mut out = Vec::new();
        for ((p, index), item) in heads {
            let Some(item_type) = item.item_type() else { continue };
            let value = match item_type {
                ItemType::BlobIndex => match self.read_blob(flash, item.ns, item.key_str()) {
                    Ok(data) => Value::Blob(data),
                    Err(NvsError::NotFound) => continue,
                    Err(e) => return Err(e),
                },
                ItemType::BlobData => continue,
                ItemType::Str | ItemType::BlobV1 => match self.pages.page_mut(p).read_payload(flash, index, &item) {
                    Ok(bytes) if item_type == ItemType::Str => string_value(&bytes),
                    Ok(bytes) => Value::Blob(bytes),
                    Err(NvsError::NotFound) => continue,
                    Err(e) => return Err(e),
                },
                primitive => match Value::from_primitive(primitive, &item.data) {
                    Some(v) => v,
                    None => continue,
                },
            };
            let namespace = self
                .namespaces
                .iter()
                .find(|(_, i)| *i == item.ns)
                .map_or_else(|| format!("#{}", item.ns), |(name, _)| name.clone());
            out.push(Entry { namespace, key: String::from_utf8_lossy(item.key_str()).into_owned(), value });
        }
        Ok(out)
    }

    /// Entry usage across the partition.
    pub fn stats(&self) -> NvsStats {
        let mut stats =
            NvsStats { used_entries: 0, free_entries: 0, erased_entries: 0, namespaces: self.namespaces.len() };
        for page in self.pages.all() {
            stats.used_entries += page.used_entries();
            stats.erased_entries += page.erased_entries();
            stats.free_entries += match page.state() {
                PageState::Uninitialized | PageState::Corrupt => ENTRY_COUNT,
                _ => page.free_entries(),
            };
        }
        stats
    }

    /// Flash address of the partition.
    pub fn base(&self) -> u32 {
        self.base
    }

    /// The longest blob the partition can hold (ESP-IDF 3.3's limit): a chunk of
    /// at most 4000 bytes on each page but the one kept free for garbage
    /// collection, and at most 127 chunks.
    pub fn max_blob_len(&self) -> usize {
        (self.page_count - 1).min(usize::from(CHUNK_ANY - 1) / 2) * CHUNK_MAX_SIZE
    }
}

/// Length of a stored string payload up to its NUL.
fn c_string_len(bytes: &[u8]) -> usize {
    bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())
}

/// A stored string payload as a value: up to its NUL, invalid UTF-8 replaced.
fn string_value(bytes: &[u8]) -> Value {
    Value::Str(String::from_utf8_lossy(&bytes[..c_string_len(bytes)]).into_owned())
}
