package sim

// The HTML report: one self-contained page (no scripts, no fonts or
// styles fetched from anywhere) with the time series drawn by
// gonum.org/v1/plot as inline SVG, and the tables of the text report.
// gonum/plot is the maintained plotting library of the Go ecosystem and
// renders SVG itself, so the report needs no browser-side library and
// opens offline.

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// maxCurves is the number of curves one plot shows; the busiest come
// first.
const maxCurves = 12

type htmlPlot struct {
	Title  string
	Note   string
	SVG    template.HTML
	Legend []legendItem
}

// legendItem is a curve's name and colour; the legend is HTML under the
// plot rather than drawn over the curves.
type legendItem struct {
	Name   string
	Color  template.CSS
	Dashed bool
}

// WriteHTML writes the report page.
func WriteHTML(w io.Writer, r *Result) error {
	var plots []htmlPlot
	add := func(title, ylabel string, series []Series, scale float64, note string) error {
		if len(series) == 0 || len(r.Series.T) == 0 {
			return nil
		}
		svg, legend, err := plotSVG(title, ylabel, r.Series.T, series, scale)
		if err != nil {
			return err
		}
		if len(legend) < len(series) {
			note = strings.TrimSpace(fmt.Sprintf("%s The %d busiest of %d are shown.", note, len(legend), len(series)))
		}
		plots = append(plots, htmlPlot{Title: title, Note: note, SVG: template.HTML(svg), Legend: legend})
		return nil
	}
	steps := []struct {
		title, ylabel string
		series        []Series
		scale         float64
		note          string
	}{
		{"Rate per class", "Mbit/s", busy(r.Series.Classes), 1e-6, "Bits per second each class sent, per sample interval."},
		{"Queue length per qdisc", "packets", busy(r.Series.Qdiscs), 1, "Packets queued at each sample."},
		{"Sojourn delay (mean) per link", "ms", busy(r.Series.Sojourn), 1, "Time packets spent in the sending device's qdiscs."},
		{"Sojourn delay (max) per link", "ms", busy(r.Series.SojournMax), 1, ""},
		{"Throughput per traffic entry", "Mbit/s", r.Series.Groups, 1e-6, "Frames received, all flows of the entry."},
		{"Throughput per flow", "Mbit/s", r.Series.Flows, 1e-6, ""},
		{"TCP congestion window", "segments", r.Series.Cwnd, 1, ""},
	}
	for _, st := range steps {
		if err := add(st.title, st.ylabel, st.series, st.scale, st.note); err != nil {
			return err
		}
	}
	var text bytes.Buffer
	if err := WriteText(&text, r); err != nil {
		return err
	}
	return reportPage.Execute(w, struct {
		R     *Result
		Plots []htmlPlot
		Text  string
	}{r, plots, text.String()})
}

// niceTicks puts about six labelled ticks at 1, 2 or 5 times a power of
// ten (gonum's default labels odd values such as 4, 16, 28).
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if span <= 0 {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	step := math.Pow(10, math.Floor(math.Log10(span/6)))
	for _, m := range []float64{1, 2, 5, 10} {
		if span/(step*m) <= 7 {
			step *= m
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step/1e6; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 6, 64)})
		if minor := v + step/2; minor < hi {
			ticks = append(ticks, plot.Tick{Value: minor})
		}
	}
	return ticks
}

// busy drops the series that stay at zero.
func busy(ss []Series) []Series {
	var out []Series
	for _, s := range ss {
		for _, v := range s.Values {
			if v != 0 {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// plotSVG draws the series against t (seconds) and returns the SVG
// element and the legend of the curves it holds.
func plotSVG(title, ylabel string, t []float64, series []Series, scale float64) (string, []legendItem, error) {
	idx := make([]int, len(series))
	sum := make([]float64, len(series))
	for i, s := range series {
		idx[i] = i
		for _, v := range s.Values {
			sum[i] += v
		}
	}
	if len(series) > maxCurves {
		sort.SliceStable(idx, func(a, b int) bool { return sum[idx[a]] > sum[idx[b]] })
		idx = idx[:maxCurves]
		sort.Ints(idx)
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	p.Add(plotter.NewGrid())
	var legend []legendItem
	for k, i := range idx {
		s := series[i]
		n := min(len(s.Values), len(t))
		xys := make(plotter.XYs, n)
		for j := 0; j < n; j++ {
			xys[j].X = t[j]
			xys[j].Y = s.Values[j] * scale
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return "", nil, err
		}
		l.Color = plotutil.Color(k)
		l.Width = vg.Points(1.2)
		if k >= len(plotutil.DefaultColors) {
			l.Dashes = plotutil.Dashes(1)
		}
		p.Add(l)
		r, g, b, _ := l.Color.RGBA()
		legend = append(legend, legendItem{Name: s.Name, Color: template.CSS(fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)),
			Dashed: len(l.Dashes) > 0})
	}
	wt, err := p.WriterTo(9*vg.Inch, 3.5*vg.Inch, "svg")
	if err != nil {
		return "", nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return "", nil, err
	}
	svg := b.String()
	if i := strings.Index(svg, "<svg"); i >= 0 {
		svg = svg[i:] // inline: no XML prolog
	}
	return svg, legend, nil
}

var reportPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>netsched sim: {{.R.Scenario}}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; padding: 0 1em; max-width: 70em; color: #222; }
h1 { font-size: 1.5em; }
h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ccc; }
.plot { margin: 1em 0; }
.plot svg { width: 100%; height: auto; }
.note { color: #666; font-size: 0.9em; }
.legend { list-style: none; padding: 0; margin: 0 0 0 4em; font-size: 0.85em; columns: 3; }
.legend span { display: inline-block; width: 1.6em; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 0.4em; }
.legend span.dashed { border-top-style: dashed; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 0.8em; }
</style>
</head>
<body>
<h1>netsched sim: {{.R.Scenario}}</h1>
<p>Seed {{.R.Seed}}; {{.R.Duration}} s simulated; rates and delays measured from {{.R.WindowStart}} s; {{.R.PacketHops}} packet-hops.</p>
{{range .R.Notes}}<p class="note">Note: {{.}}</p>
{{end}}
<h2>Time series</h2>
{{range .Plots}}<div class="plot" id="{{.Title}}">
{{.SVG}}
<ul class="legend">{{range .Legend}}<li><span style="border-color: {{.Color}}"{{if .Dashed}} class="dashed"{{end}}></span>{{.Name}}</li>{{end}}</ul>
{{if .Note}}<p class="note">{{.Note}}</p>{{end}}
</div>
{{end}}
<h2>Report</h2>
<pre>{{.Text}}</pre>
</body>
</html>
`))
