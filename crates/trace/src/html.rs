//! The gas profile as one self-contained HTML page: a summary, the opcodes that cost most,
//! the contracts, and each contract's disassembly with the gas of every instruction drawn as
//! a heat bar, and a flame graph of the gas (all, then each contract and precompile, then
//! each contract's opcodes) drawn as SVG by a small inline script. No scripts, fonts or
//! images are loaded from anywhere. A script error marks the page: `data-error` on `<body>`
//! and a title starting `ERROR`, so a headless browser's DOM dump shows it.

use crate::profile::{ContractProfile, Profile};
use ember_bytecode::opcode;
use std::fmt::Write;

impl Profile {
    /// The report as one self-contained HTML page (see [`render`]). Defined here, next to
    /// the page, so the profile's data model does not depend on its rendering.
    pub fn to_html(&self, title: &str) -> String {
        render(self, title)
    }
}

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em;color:#1d2330;background:#fbfbfd}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em}
.summary{color:#555;margin-bottom:1.5em}
table{border-collapse:collapse;margin:.5em 0}
th,td{padding:2px 10px;text-align:right;border-bottom:1px solid #e4e6ee}
th{background:#eef0f6;position:sticky;top:0}
td.l,th.l{text-align:left}
code,.mono,td.asm{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.bar{width:220px}
.bar span{display:inline-block;height:.8em;background:linear-gradient(90deg,#f6c445,#e4572e);border-radius:2px;vertical-align:middle}
tr.cold td{color:#aab}
details{margin:1em 0;border:1px solid #dde;border-radius:6px;padding:.4em .8em;background:#fff}
summary{cursor:pointer;font-weight:600}
.pct{color:#777}
#flame{width:100%;max-width:1200px;display:block;border:1px solid #dde;border-radius:6px;background:#fff}
#flame text{font-size:11px;pointer-events:none;fill:#1d2330}
"#;

/// Installed first: a script error marks the page instead of passing unnoticed.
const ON_ERROR: &str =
    "<script>window.onerror=function(m){document.body.setAttribute('data-error',String(m));\
document.title='ERROR '+m;};</script>\n";

/// Draws the flame graph from the JSON in `#flame-data` into `svg#flame`.
const FLAME_SCRIPT: &str = r#"<script>
(function(){
var data=JSON.parse(document.getElementById('flame-data').textContent);
var svg=document.getElementById('flame'),ns='http://www.w3.org/2000/svg';
var W=1200,H=20,levels=0,drawn=0;
function color(name){var h=0;for(var i=0;i<name.length;i++){h=(h*31+name.charCodeAt(i))%997;}
return 'hsl('+(10+h%45)+',85%,'+(58+h%17)+'%)';}
function draw(n,x,w,d){
 if(w<0.3)return;levels=Math.max(levels,d+1);
 var g=document.createElementNS(ns,'g');
 var r=document.createElementNS(ns,'rect');
 r.setAttribute('x',x);r.setAttribute('y',d*H);r.setAttribute('width',Math.max(w-0.5,0.3));
 r.setAttribute('height',H-2);r.setAttribute('rx',2);r.setAttribute('fill',color(n.name));
 var t=document.createElementNS(ns,'title');
 t.textContent=n.name+': '+n.gas+' gas ('+(100*n.gas/Math.max(data.gas,1)).toFixed(1)+'%)';
 r.appendChild(t);g.appendChild(r);
 if(w>60){var l=document.createElementNS(ns,'text');l.setAttribute('x',x+4);l.setAttribute('y',d*H+14);
 var chars=Math.floor((w-8)/6.5);
 l.textContent=n.name.length>chars?n.name.slice(0,Math.max(chars-1,1))+'\u2026':n.name;g.appendChild(l);}
 svg.appendChild(g);drawn++;
 var cx=x;(n.children||[]).forEach(function(c){var cw=n.gas>0?w*c.gas/n.gas:0;draw(c,cx,cw,d+1);cx+=cw;});
}
draw(data,0,W,0);
svg.setAttribute('viewBox','0 0 '+W+' '+(levels*H));
svg.setAttribute('height',levels*H);
svg.setAttribute('data-rects',drawn);
document.body.setAttribute('data-flame','drawn');
})();
</script>
"#;

/// JSON string literal of `s`, safe inside a `<script>` element.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The flame graph: its data as JSON, an empty SVG, and the script that draws it.
fn flame_graph(h: &mut String, profile: &Profile, total: u64) {
    let mut nodes: Vec<(u64, String)> = Vec::new();
    for c in &profile.contracts {
        let mut by_op = [0u64; 256];
        for (pc, stat) in c.pcs.iter().enumerate() {
            let op = c.code.get(pc).copied().unwrap_or(0);
            by_op[op as usize] += stat.gas;
        }
        let mut ops: Vec<(u8, u64)> = (0..=255u8)
            .map(|op| (op, by_op[op as usize]))
            .filter(|&(_, g)| g > 0)
            .collect();
        ops.sort_by_key(|&(_, g)| std::cmp::Reverse(g));
        let children: Vec<String> = ops
            .iter()
            .map(|&(op, g)| format!("{{\"name\":{},\"gas\":{g}}}", json_str(&mnemonic(op))))
            .collect();
        let gas = c.gas();
        nodes.push((
            gas,
            format!(
                "{{\"name\":{},\"gas\":{gas},\"children\":[{}]}}",
                json_str(&contract_label(c)),
                children.join(",")
            ),
        ));
    }
    for (address, gas) in &profile.precompiles {
        nodes.push((
            *gas,
            format!(
                "{{\"name\":{},\"gas\":{gas}}}",
                json_str(&format!("precompile {address}"))
            ),
        ));
    }
    nodes.sort_by_key(|(g, _)| std::cmp::Reverse(*g));
    let children: Vec<&str> = nodes.iter().map(|(_, n)| n.as_str()).collect();
    let _ = write!(
        h,
        "<h2>Flame graph</h2>\n<p class=\"summary\">Width is gas: all, then each contract and \
         precompile, then each contract's opcodes (hover for figures).</p>\n\
         <svg id=\"flame\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         aria-label=\"gas flame graph\"></svg>\n\
         <script id=\"flame-data\" type=\"application/json\">{{\"name\":\"all\",\"gas\":{total},\
         \"children\":[{}]}}</script>\n{FLAME_SCRIPT}",
        children.join(",")
    );
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0.0%".to_string()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

fn bar(part: u64, max: u64) -> String {
    let width = if max == 0 {
        0.0
    } else {
        part as f64 * 100.0 / max as f64
    };
    if part > 0 && width < 0.5 {
        "<span style=\"width:1px\"></span>".to_string()
    } else {
        format!("<span style=\"width:{width:.1}%\"></span>")
    }
}

/// The mnemonic of `op`, or its byte for one no fork defines.
fn mnemonic(op: u8) -> String {
    match opcode::name(op) {
        Some(name) => name.to_string(),
        None => format!("0x{op:02x}"),
    }
}

fn contract_label(c: &ContractProfile) -> String {
    let who = match c.addresses.as_slice() {
        [] => "?".to_string(),
        [one] => one.to_string(),
        [first, rest @ ..] => format!("{first} (+{} more)", rest.len()),
    };
    if c.initcode {
        format!("initcode of {who}")
    } else {
        who
    }
}

/// Renders `profile` as a page titled `title`.
pub fn render(profile: &Profile, title: &str) -> String {
    let total = profile.gas();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{t}</title><style>{STYLE}</style></head><body>\n{ON_ERROR}<h1>{t}</h1>\n\
         <div class=\"summary\">{total} gas in instructions and precompiles \
         ({frame} gas used by the top-level frame; the 2300 gas stipends of value calls \
         are free to the caller, so instructions may add up to more), {steps} instructions \
         run, {n} contract code{s}</div>\n",
        t = esc(title),
        frame = profile.frame_gas,
        steps = profile.steps(),
        n = profile.contracts.len(),
        s = if profile.contracts.len() == 1 {
            ""
        } else {
            "s"
        },
    );

    flame_graph(&mut h, profile, total);

    // Top opcodes.
    let ops = profile.opcodes();
    let max_op = ops.first().map_or(0, |o| o.gas);
    h.push_str(
        "<h2>Top opcodes</h2>\n<table><tr><th class=\"l\">opcode</th><th>count</th>\
         <th>gas</th><th>share</th><th>gas per run</th><th class=\"l bar\"></th></tr>\n",
    );
    for o in ops.iter().take(40) {
        let _ = writeln!(
            h,
            "<tr><td class=\"l mono\">{}</td><td>{}</td><td>{}</td><td class=\"pct\">{}</td>\
             <td>{:.1}</td><td class=\"l bar\">{}</td></tr>",
            esc(&mnemonic(o.op)),
            o.count,
            o.gas,
            pct(o.gas, total),
            o.gas as f64 / o.count.max(1) as f64,
            bar(o.gas, max_op),
        );
    }
    h.push_str("</table>\n");

    // Contracts.
    let mut order: Vec<usize> = (0..profile.contracts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(profile.contracts[i].gas()));
    h.push_str(
        "<h2>Contracts</h2>\n<table><tr><th class=\"l\">code of</th><th class=\"l\">code hash</th>\
         <th>size</th><th>frames</th><th>instructions</th><th>gas</th><th>share</th></tr>\n",
    );
    for &i in &order {
        let c = &profile.contracts[i];
        let hash = c.code_hash.to_string();
        let short = format!("{}…{}", &hash[..10], &hash[hash.len() - 8..]);
        let _ = writeln!(
            h,
            "<tr><td class=\"l mono\"><a href=\"#c{i}\">{}</a></td><td class=\"l mono\" title=\"{hash}\">{short}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"pct\">{}</td></tr>",
            esc(&contract_label(c)),
            c.code.len(),
            c.frames,
            c.steps(),
            c.gas(),
            pct(c.gas(), total),
        );
    }
    for (address, gas) in &profile.precompiles {
        let _ = writeln!(
            h,
            "<tr><td class=\"l mono\">{address}</td><td class=\"l\">precompile or no code</td>\
             <td></td><td></td><td></td><td>{gas}</td><td class=\"pct\">{}</td></tr>",
            pct(*gas, total)
        );
    }
    h.push_str("</table>\n");

    // Disassembly per contract.
    for (rank, &i) in order.iter().enumerate() {
        disassembly(&mut h, i, &profile.contracts[i], total, rank == 0);
    }
    h.push_str("</body></html>\n");
    h
}

fn disassembly(h: &mut String, index: usize, c: &ContractProfile, total: u64, open: bool) {
    let max = c.pcs.iter().map(|p| p.gas).max().unwrap_or(0);
    let _ = write!(
        h,
        "<details id=\"c{index}\"{}><summary>{} &mdash; {} gas ({})</summary>\n\
         <table><tr><th>pc</th><th class=\"l\">instruction</th><th>count</th><th>gas</th>\
         <th class=\"l bar\">gas</th></tr>\n",
        if open { " open" } else { "" },
        esc(&contract_label(c)),
        c.gas(),
        pct(c.gas(), total),
    );
    let code = &c.code;
    let mut pc = 0usize;
    while pc <= code.len() {
        let op = code.get(pc).copied().unwrap_or(0);
        let immediate = opcode::OPCODES[op as usize].map_or(0, |i| i.immediate as usize);
        let mut asm = if pc == code.len() {
            "STOP (end of code)".to_string()
        } else {
            mnemonic(op)
        };
        if immediate > 0 && pc < code.len() {
            asm.push_str(" 0x");
            for k in 1..=immediate {
                let b = code.get(pc + k).copied().unwrap_or(0);
                let _ = write!(asm, "{b:02x}");
            }
        }
        let stat = c.pcs.get(pc).copied().unwrap_or_default();
        if pc == code.len() && stat.count == 0 {
            break;
        }
        let _ = writeln!(
            h,
            "<tr{}><td class=\"mono\">{pc:#06x}</td><td class=\"l asm\">{}</td><td>{}</td>\
             <td>{}</td><td class=\"l bar\">{}</td></tr>",
            if stat.count == 0 {
                " class=\"cold\""
            } else {
                ""
            },
            esc(&asm),
            stat.count,
            stat.gas,
            bar(stat.gas, max),
        );
        pc += 1 + immediate;
    }
    h.push_str("</table></details>\n");
}
