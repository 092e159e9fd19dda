# open() and imports from /flash, on top of the native _flashfs module.
# Files are read whole when opened and written back on flush() and close().
import sys
import _flashfs
import _weakref

_EBADF = 9
_EISDIR = 21
_ENOENT = 2
_EEXIST = 17
_EINVAL = 22

# Files opened for writing and not closed yet, by id: the end of a boot
# closes them (MicroPython's finaliser of files) while this module still works.
_unclosed = {}


class Stream:
    """What every stream object shares: `with` closes it, iteration reads lines."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line


class _File(Stream):
    def __init__(self, path, mode):
        kind = _flashfs.kind(path)
        if kind == 2:
            raise OSError(_EISDIR)
        self._path = path
        self._readable = 'r' in mode or '+' in mode
        self._writable = 'w' in mode or 'x' in mode or 'a' in mode or '+' in mode
        self._append = 'a' in mode
        self._closed = False
        self._dirty = False
        # The mode's letters add up as the firmware's flags do: 'rw' reads
        # and writes a truncated file.
        if 'x' in mode and kind != 0:
            raise OSError(_EEXIST)
        if 'w' in mode or 'x' in mode or kind == 0 and 'a' in mode:
            self._data = bytearray()
            _flashfs.write(path, b'')
        elif kind == 0:
            raise OSError(_ENOENT)
        else:
            self._data = bytearray(_flashfs.read(path))
        self._pos = len(self._data) if self._append else 0
        if self._writable:
            _unclosed[id(self)] = _weakref.ref(self)

    def _check(self, allowed=True):
        # The board's files answer EINVAL once closed (seek and tell still work).
        if self._closed:
            raise OSError(_EINVAL)
        if not allowed:
            raise OSError(_EBADF)

    def _take(self, size):
        self._check(self._readable)
        end = len(self._data) if size is None or size < 0 else min(len(self._data), self._pos + size)
        chunk = bytes(self._data[self._pos:end])
        self._pos = max(self._pos, end)
        return chunk

    def _line(self, size=-1):
        self._check(self._readable)
        end = self._data.find(b'\n', self._pos)
        end = len(self._data) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        chunk = bytes(self._data[self._pos:end])
        self._pos = end
        return chunk

    def readinto(self, buf, nbytes=-1):
        self._check(self._readable)
        view = memoryview(buf)
        n = len(view) if nbytes is None or nbytes < 0 else min(nbytes, len(view))
        chunk = self._data[self._pos:self._pos + n]
        view[:len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)

    def write(self, data):
        self._check(self._writable)
        if isinstance(data, str):
            data = data.encode()
        data = bytes(data)
        if self._append:
            self._pos = len(self._data)
        if self._pos > len(self._data):
            self._data.extend(b'\0' * (self._pos - len(self._data)))
        self._data[self._pos:self._pos + len(data)] = data
        self._pos += len(data)
        self._dirty = True
        return len(data)

    def seek(self, offset, whence=0):
        if whence == 0:
            pos = offset
        elif whence == 1:
            pos = self._pos + offset
        elif whence == 2:
            pos = len(self._data) + offset
        else:
            raise OSError(_EINVAL)
        if pos < 0:
            raise OSError(_EINVAL)
        self._pos = pos
        return pos

    def tell(self):
        return self._pos

    def flush(self):
        self._check()
        if self._dirty:
            _flashfs.write(self._path, bytes(self._data))
            self._dirty = False

    def close(self):
        if not self._closed:
            _unclosed.pop(id(self), None)
            self.flush()
            self._closed = True

    def __del__(self):
        # MicroPython's file finaliser: an unclosed file is closed when collected.
        try:
            self.close()
        except Exception:
            pass

    def readlines(self):
        return list(iter(self.readline, self.readline(0)))


class FileIO(_File):
    def read(self, size=-1):
        return self._take(size)

    def readline(self, size=-1):
        return self._line(size)


class TextIOWrapper(_File):
    def read(self, size=-1):
        # A size counts characters, as the firmware's stream reads whole
        # UTF-8 sequences in text mode.
        if size is None or size < 0:
            return self._take(size).decode()
        end = self._pos
        while size > 0 and end < len(self._data):
            lead = self._data[end]
            end += 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
            size -= 1
        return self._take(end - self._pos).decode()

    def readline(self, size=-1):
        return self._line(size).decode()


def open(file, mode='r', buffering=-1, encoding=None, *args, **kwargs):
    if not isinstance(file, str):
        raise TypeError("can't convert '%s' object to str implicitly" % type(file).__name__)
    if not any(c in mode for c in 'rwxa') or any(c not in 'rwxab+t' for c in mode):
        raise ValueError('invalid mode')
    try:
        file.encode()
    except UnicodeError:
        # A lone surrogate: no file on the board has such a name.
        raise OSError(_ENOENT)
    return (FileIO if 'b' in mode else TextIOWrapper)(file, mode)


_bootstrap = sys.modules['_frozen_importlib']


class _FlashLoader:
    def __init__(self, path):
        self.path = path

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        source = _flashfs.read(self.path)
        module.__file__ = self.path
        exec(_flashfs.compile(source, self.path), module.__dict__)


class _FlashFinder:
    @classmethod
    def find_spec(cls, name, path=None, target=None):
        leaf = name.rpartition('.')[2]
        places = path if path is not None else sys.path
        for place in places:
            base = _flashfs.abspath(place or '.').rstrip('/') + '/' + leaf
            if _flashfs.kind(base + '/__init__.py') == 1:
                spec = _bootstrap.ModuleSpec(name, _FlashLoader(base + '/__init__.py'), origin=base, is_package=True)
                spec.submodule_search_locations = [base]
                return spec
            if _flashfs.kind(base + '.py') == 1:
                return _bootstrap.ModuleSpec(name, _FlashLoader(base + '.py'), origin=base + '.py')
        return None

    @classmethod
    def invalidate_caches(cls):
        pass


sys.meta_path.append(_FlashFinder)


def user_module(name):
    # Whether top-level module `name` comes from the filesystem. One found
    # there is loaded now when the runtime has a module of that name (which the
    # board lacks), so that the file wins as it does on the board.
    loaded = sys.modules.get(name)
    if loaded is not None and isinstance(getattr(getattr(loaded, '__spec__', None), 'loader', None), _FlashLoader):
        return True
    spec = _FlashFinder.find_spec(name)
    if spec is None:
        return False
    if loaded is not None or _bootstrap.BuiltinImporter.find_spec(name) or _bootstrap.FrozenImporter.find_spec(name):
        _bootstrap._load(spec)
    return True


def close_all():
    # The end of a boot: every file still open is closed, so its data reaches
    # the filesystem as the board's finaliser writes it at a soft reset.
    for ref in list(_unclosed.values()):
        file = ref()
        if file is not None:
            try:
                file.close()
            except Exception:
                pass
