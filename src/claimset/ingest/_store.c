/* Reading many byte ranges of a file in one call (the text store's gather).
 *
 * gather(fd, positions, lengths) preads lengths[i] bytes at positions[i] for every i into
 * one bytes object and returns it with the int64 offsets (n + 1) of each range in it: an
 * Arrow large_string array's buffers. The GIL is released while reading.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static PyObject *gather(PyObject *self, PyObject *args) {
    (void)self;
    int fd;
    Py_buffer pos, len;
    if (!PyArg_ParseTuple(args, "iy*y*", &fd, &pos, &len)) return NULL;
    PyObject *result = NULL, *offsets = NULL, *data = NULL;
    if (pos.len % 8 || pos.len != len.len) {
        PyErr_SetString(PyExc_ValueError, "positions and lengths must be int64 arrays of one length");
        goto done;
    }
    size_t n = (size_t)pos.len / 8, total = 0;
    const int64_t *p = pos.buf, *l = len.buf;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0 || l[i] < 0 || (uint64_t)l[i] > (uint64_t)PY_SSIZE_T_MAX - total) {
            PyErr_Format(PyExc_ValueError, "range %zu: position %lld, length %lld", i,
                         (long long)p[i], (long long)l[i]);
            goto done;
        }
        total += (size_t)l[i];
    }
    offsets = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)((n + 1) * 8));
    data = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
    if (!offsets || !data) goto done;
    int64_t *off = (int64_t *)PyBytes_AS_STRING(offsets);
    char *out = PyBytes_AS_STRING(data);
    int err = 0;
    size_t short_at = n;
    Py_BEGIN_ALLOW_THREADS
    size_t at = 0;
    off[0] = 0;
    for (size_t i = 0; i < n && !err && short_at == n; i++) {
        size_t want = (size_t)l[i], got = 0;
        while (got < want) {
            ssize_t r = pread(fd, out + at + got, want - got, (off_t)(p[i] + (int64_t)got));
            if (r < 0) {
                if (errno == EINTR) continue;
                err = errno;
                break;
            }
            if (r == 0) {
                short_at = i;
                break;
            }
            got += (size_t)r;
        }
        at += want;
        off[i + 1] = (int64_t)at;
    }
    Py_END_ALLOW_THREADS
    if (err) {
        errno = err;
        PyErr_SetFromErrno(PyExc_OSError);
        goto done;
    }
    if (short_at != n) {
        PyErr_Format(PyExc_OSError, "range %zu ends after the end of the file", short_at);
        goto done;
    }
    result = PyTuple_Pack(2, offsets, data);
done:
    Py_XDECREF(offsets);
    Py_XDECREF(data);
    PyBuffer_Release(&pos);
    PyBuffer_Release(&len);
    return result;
}

static PyMethodDef methods[] = {
    {"gather", gather, METH_VARARGS,
     "gather(fd, positions, lengths) -> (offsets, data): the byte ranges of a file, read "
     "without the GIL, as large_string buffers"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_store",
                                    "Many byte ranges of a file in one call (claimset.ingest.spill).",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__store(void) { return PyModule_Create(&module); }
