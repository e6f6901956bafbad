// Command tlogcheck checks an Accord audit log in the C2SP formats with Go's golang.org/x/mod/sumdb/note and
// sumdb/tlog: code nobody at Accord wrote. It reads a checkpoint note and tiles from a folder, or from a server's
// log prefix with the auditor credential in $ACCORD_AUDIT_CREDENTIAL, and checks the note's signature, the tree hash
// the tiles give, an inclusion proof of every entry against the checkpoint, and, given OLDSIZE, the consistency of
// the log at that size with the checkpoint.
//
//	tlogcheck VKEY FOLDER-OR-URL [OLDSIZE]
package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(1)
}

type source string

func (s source) read(path string) ([]byte, error) {
	if !strings.HasPrefix(string(s), "http://") && !strings.HasPrefix(string(s), "https://") {
		return os.ReadFile(filepath.Join(string(s), path))
	}
	request, err := http.NewRequest("GET", strings.TrimSuffix(string(s), "/")+"/"+path, nil)
	if err != nil {
		return nil, err
	}
	request.Header.Set("Authorization", "Bearer "+os.Getenv("ACCORD_AUDIT_CREDENTIAL"))
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	if response.StatusCode != 200 {
		return nil, fmt.Errorf("%s: HTTP %d", path, response.StatusCode)
	}
	return io.ReadAll(response.Body)
}

// C2SP tlog-tiles paths: tile/L/N[.p/W] and tile/entries/N[.p/W], N in groups of three digits, all but the last
// prefixed with x.
func index(n int64) string {
	text := fmt.Sprintf("%03d", n%1000)
	for n >= 1000 {
		n /= 1000
		text = fmt.Sprintf("x%03d/", n%1000) + text
	}
	return text
}

func tilePath(level string, n int64, w int) string {
	path := "tile/" + level + "/" + index(n)
	if w < 256 {
		path += ".p/" + strconv.Itoa(w)
	}
	return path
}

// tiles reads each tile once: tiles are immutable, and a server limits how fast one address may ask.
type tiles struct {
	src   source
	cache map[string][]byte
}

func (t tiles) Height() int { return 8 }

func (t tiles) ReadTiles(list []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(list))
	for i, tile := range list {
		path := tilePath(strconv.Itoa(tile.L), tile.N, tile.W)
		data, ok := t.cache[path]
		if !ok {
			var err error
			if data, err = t.src.read(path); err != nil {
				return nil, err
			}
			t.cache[path] = data
		}
		out[i] = data
	}
	return out, nil
}

func (t tiles) SaveTiles([]tlog.Tile, [][]byte) {}

func main() {
	if len(os.Args) < 3 {
		fail("usage: tlogcheck VKEY FOLDER-OR-URL [OLDSIZE]")
	}
	verifier, err := note.NewVerifier(os.Args[1])
	if err != nil {
		fail("the verifier key: %v", err)
	}
	src := source(os.Args[2])
	message, err := src.read("checkpoint")
	if err != nil {
		fail("checkpoint: %v", err)
	}
	opened, err := note.Open(message, note.VerifierList(verifier))
	if err != nil {
		fail("the checkpoint note: %v", err)
	}
	lines := strings.Split(opened.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("the checkpoint's origin %q is not the key's name %q", lines[0], verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("the checkpoint's size: %v", err)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("the checkpoint's root hash is not base64 of 32 bytes")
	}
	var root tlog.Hash
	copy(root[:], rootBytes)

	hashes := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, tiles{src, map[string][]byte{}})
	treeHash, err := tlog.TreeHash(size, hashes)
	if err != nil || treeHash != root {
		fail("the tiles do not give the checkpoint's root: %v", err)
	}
	var entries int64
	for n := int64(0); n*256 < size; n++ {
		width := size - n*256
		if width > 256 {
			width = 256
		}
		bundle, err := src.read(tilePath("entries", n, int(width)))
		if err != nil {
			fail("entries: %v", err)
		}
		for len(bundle) > 0 {
			if len(bundle) < 2 {
				fail("bundle %d ends inside a length", n)
			}
			length := int(bundle[0])<<8 | int(bundle[1])
			if len(bundle) < 2+length {
				fail("bundle %d ends inside an entry", n)
			}
			record := bundle[2 : 2+length]
			bundle = bundle[2+length:]
			proof, err := tlog.ProveRecord(size, entries, hashes)
			if err != nil {
				fail("entry %d: no inclusion proof: %v", entries, err)
			}
			if err := tlog.CheckRecord(proof, size, root, entries, tlog.RecordHash(record)); err != nil {
				fail("entry %d: %v", entries, err)
			}
			entries++
		}
	}
	if entries != size {
		fail("the bundles hold %d entries; the checkpoint says %d", entries, size)
	}
	if len(os.Args) > 3 {
		old, err := strconv.ParseInt(os.Args[3], 10, 64)
		if err != nil || old < 1 || old > size {
			fail("OLDSIZE must be 1 to %d", size)
		}
		oldHash, err := tlog.TreeHash(old, hashes)
		if err != nil {
			fail("the tree at %d: %v", old, err)
		}
		proof, err := tlog.ProveTree(size, old, hashes)
		if err != nil {
			fail("no consistency proof from %d: %v", old, err)
		}
		if err := tlog.CheckTree(proof, size, root, old, oldHash); err != nil {
			fail("consistency from %d: %v", old, err)
		}
		fmt.Printf("consistent from %d %s\n", old, base64.StdEncoding.EncodeToString(oldHash[:]))
	}
	fmt.Printf("ok %s %d entries, root %s\n", verifier.Name(), size, lines[2])
}
