package sim_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netsched/netsched/sim"
)

// chromium finds Debian's headless browser, or skips the test.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium not installed (Debian's chromium package; .ci/run installs it)")
	return ""
}

// runChromium runs a headless Chromium with a fresh profile and no
// network side traffic, and returns its standard output.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

// The HTML report renders in a browser: every plot is an inline SVG with
// its curves, and a screenshot of the page shows them in colour.
func TestHTMLReportInChromium(t *testing.T) {
	bin := chromium(t)
	r := run(t, `
duration: 5s
warmup: 1s
links:
  - a:
      host: a
      tc: |
        qdisc add root handle 1: htb default 20
        class add parent 1: classid 1:1 htb rate 10mbit
        class add parent 1:1 classid 1:10 htb rate 3mbit ceil 10mbit
        class add parent 1:1 classid 1:20 htb rate 7mbit ceil 10mbit
    b: b
    rate: 100mbit
    delay: 5ms
traffic:
  - {name: bulk, type: tcp, from: a, to: b, count: 2}
  - {name: prio, type: cbr, from: a, to: b, rate: 5mbit, priority: "1:10"}
`)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := sim.WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// Self-contained: nothing to fetch.
	if regexp.MustCompile(`(src|href)=["']?(https?:)?//`).Match(b.Bytes()) {
		t.Fatal("the report refers to something on the network")
	}

	dom := string(runChromium(t, bin, "--dump-dom", "file://"+page))
	svgs := regexp.MustCompile(`(?s)<svg.*?</svg>`).FindAllString(dom, -1)
	if len(svgs) < 5 {
		t.Fatalf("%d SVG plots in the rendered page", len(svgs))
	}
	for _, title := range []string{"Rate per class", "Queue length per qdisc", "Sojourn delay (mean) per link", "TCP congestion window"} {
		if !strings.Contains(dom, title) {
			t.Errorf("no plot %q", title)
		}
	}
	path := regexp.MustCompile(`d="M[^"]*"`)
	for i, s := range svgs {
		// A curve is a path with a point per sample.
		most := 0
		for _, d := range path.FindAllString(s, -1) {
			most = max(most, strings.Count(d, "L"))
		}
		if most < 20 {
			t.Errorf("plot %d: its longest path has %d segments", i, most)
		}
	}
	if !strings.Contains(dom, "a eth0 class 1:10") {
		t.Error("the class legend is missing")
	}

	shot := filepath.Join(dir, "shot.png")
	runChromium(t, bin, "--window-size=1000,1600", "--hide-scrollbars", "--screenshot="+shot, "file://"+page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	white, coloured := pixels(img)
	total := img.Bounds().Dx() * img.Bounds().Dy()
	t.Logf("screenshot %v: %d white, %d coloured pixels", img.Bounds().Size(), white, coloured)
	if white == total || coloured < 500 {
		t.Fatalf("the screenshot looks blank: %d of %d pixels white, %d coloured", white, total, coloured)
	}
}

// pixels counts white pixels and strongly coloured ones (the curves;
// text and axes are grey).
func pixels(img image.Image) (white, coloured int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r > 250 && g > 250 && bl > 250 {
				white++
			}
			hi, lo := max(r, g, bl), min(r, g, bl)
			if hi-lo > 80 {
				coloured++
			}
		}
	}
	return white, coloured
}
