// Sweet Async dashboard: polls the asynctasks and asynclimits Actuator endpoints once a second and draws
// the live trees, the groups' limits over the last minutes, recent and failed tasks, and one task's detail;
// in a cluster also each member's load and live trees, with work placed on another member shown under the
// task that placed it (the endpoint's stitched `cluster` forest).
// Plain JavaScript, no build. With many live tasks the endpoint is asked for at most LIMIT roots and
// LIMIT children per node, and only for the levels the page shows (the roots' children, and the children of
// the nodes the user opened); the rest are summed up in a "more" row, so the page stays small however
// bushy the trees are.
'use strict';

(() => {
    const LIMIT = 50;
    const MAX_EXPANDED = 200;        // opened nodes sent with a poll (the newest ones)
    const PERIOD_MS = 1000;
    const TIMEOUT_MS = 10000;        // an answer slower than this is given up on: the page says so, polls again
    const HISTORY_MS = 5 * 60 * 1000;
    const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT']);
    const config = document.body.dataset;
    const canCancel = config.cancel === 'true';
    const expanded = new Set();      // non-root nodes the user opened
    const collapsed = new Set();     // roots the user closed (roots start open)
    const history = new Map();       // group -> [{t, limit, inFlight, queued}]
    const rows = new Map();          // id -> <tr> of the live tree, reused between polls
    let selected = null;
    let lastTasks = null;
    let seeded = false;
    let polling = false;             // a poll is under way
    let pollAgain = false;           // and another was asked for meanwhile
    let timer = null;
    const stats = { polls: 0, lastPollMs: 0, lastRenderMs: 0, lastBytes: 0, treeRows: 0 };
    window.sweetAsyncDashboard = stats;

    const $ = (id) => document.getElementById(id);
    const el = (tag, attrs = {}, ...children) => {
        const node = document.createElement(tag);
        for (const [key, value] of Object.entries(attrs)) {
            if (key === 'class') node.className = value; else node.setAttribute(key, value);
        }
        for (const child of children) node.append(child);
        return node;
    };

    $('access').textContent = canCancel ? 'cancel allowed' : 'read-only';
    $('access').className = canCancel ? 'badge writable' : 'badge';

    // A server that stops answering must not leave the page waiting for ever, showing what it last read as live.
    async function request(url, options) {
        const abort = new AbortController();
        const timeout = setTimeout(() => abort.abort(), TIMEOUT_MS);
        try {
            const response = await fetch(url, { ...options, signal: abort.signal });
            return { response, text: await response.text() };
        } catch (error) {
            throw abort.signal.aborted ? new Error(url + ' did not answer within ' + TIMEOUT_MS / 1000 + ' s') : error;
        } finally {
            clearTimeout(timeout);
        }
    }

    async function getJson(url) {
        const { response, text } = await request(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
        if (!response.ok) {
            const error = new Error(url + ' answered ' + response.status);
            error.status = response.status;
            throw error;
        }
        stats.lastBytes += text.length;
        return text ? JSON.parse(text) : null;
    }

    // The live trees as the page shows them: roots with their children, below them only opened nodes' children.
    function treesUrl() {
        const open = [...expanded].slice(-MAX_EXPANDED);
        return config.tasks + '?limit=' + LIMIT + '&depth=1'
            + (open.length ? '&expand=' + encodeURIComponent(open.join(',')) : '');
    }

    // Polls now (e.g. a node was opened, its children are needed), or right after the poll under way.
    function pollSoon() {
        if (polling) { pollAgain = true; return; }
        clearTimeout(timer);
        poll();
    }

    async function poll() {
        polling = true;
        const began = performance.now();
        stats.lastBytes = 0;
        try {
            const [tasks, limits, detail] = await Promise.all([
                getJson(treesUrl()),
                config.limits ? getJson(config.limits + (seeded ? '' : '?history=true')) : Promise.resolve({ groups: {} }),
                selected ? getJson(config.tasks + '/' + encodeURIComponent(selected) + '?limit=0')
                    .catch((error) => error.status === 404 ? null : Promise.reject(error)) : Promise.resolve(null),
            ]);
            const rendering = performance.now();
            render(tasks, limits, detail);
            stats.lastRenderMs = performance.now() - rendering;
            $('error').hidden = true;
            document.body.classList.remove('stale');
        } catch (error) {
            $('error').hidden = false;
            $('error').textContent = (error.status === 401 || error.status === 403
                ? 'You may not read ' + config.tasks + ' (' + error.status + '): the dashboard shows what that endpoint lets you read.'
                : 'Cannot read the endpoints: ' + error.message + '.')
                + (lastTasks ? ' What is shown is as of ' + $('updated').textContent.replace('updated ', '') + '.' : '');
            document.body.classList.add('stale');
        }
        stats.polls++;
        stats.lastPollMs = performance.now() - began;
        polling = false;
        if (pollAgain) {
            pollAgain = false;
            poll();
        } else {
            timer = setTimeout(poll, Math.max(0, PERIOD_MS - stats.lastPollMs));
        }
    }

    function render(tasks, limits, detail) {
        $('summary').textContent = `${tasks.liveTasks} live tasks in ${tasks.liveRoots} trees`
            + (tasks.runaways ? ` · ${tasks.runaways} runaway` : '');
        $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
        renderTree(tasks);
        if (!seeded) seed(limits.history);
        renderGroups(limits.groups);
        renderMembers(tasks.members, limits.members, tasks.cluster);
        renderFinished($('recent'), tasks.recent);
        renderFinished($('failed'), tasks.failed);
        renderDetail(detail);
    }

    // ---- live tree: rows flattened with an explicit stack, reused by id --------------------------------

    function renderTree(tasks) {
        lastTasks = tasks;
        const body = $('tree').tBodies[0];
        const seen = new Set();
        const place = (row) => { seen.add(row.dataset.key); body.append(row); };
        const stack = [];
        for (let i = tasks.live.length - 1; i >= 0; i--) stack.push({ node: tasks.live[i], depth: 0 });
        while (stack.length) {
            const entry = stack.pop();
            if (entry.more) { place(moreRow(entry.node)); continue; }
            const { node, depth } = entry;
            place(taskRow(node, depth));
            if (!isOpen(node, depth)) continue;
            if (node.childCount > node.children.length) stack.push({ more: true, node });
            for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1 });
        }
        if (tasks.liveRoots > tasks.live.length) place(rootsMoreRow(tasks.liveRoots - tasks.live.length));
        for (const [key, row] of rows) {
            if (!seen.has(key)) { row.remove(); rows.delete(key); }
        }
        stats.treeRows = body.rows.length;
        $('no-live').hidden = tasks.live.length > 0;
    }

    function isOpen(node, depth) {
        return depth === 0 ? !collapsed.has(node.id) : expanded.has(node.id);
    }

    function reuse(key, cells) {
        let row = rows.get(key);
        if (!row) {
            row = el('tr');
            row.dataset.key = key;
            for (let i = 0; i < cells; i++) row.append(el('td'));
            rows.set(key, row);
        }
        return row;
    }

    // A task's row is built once and then only its texts and flags change, so a click lands on the
    // same elements however often the page refreshes.
    function taskRow(node, depth) {
        let row = rows.get(node.id);
        if (!row) {
            row = el('tr', {},
                el('td', {}, el('button', { class: 'toggle', type: 'button' }), el('span', { class: 'name' }),
                    el('span', { class: 'id' }), el('span', { class: 'badge runaway', hidden: '',
                        title: 'ended, but its body ignores its interrupt and still runs' }, 'runaway'),
                    el('span', { class: 'children' })),
                el('td', {}, el('span', { class: 'status' })), el('td'), el('td'), el('td', { class: 'progress' }),
                el('td', {}, el('button', { class: 'cancel', type: 'button', 'data-id': node.id, hidden: '' }, 'Cancel')));
            row.dataset.key = node.id;
            row.dataset.id = node.id;
            if (node.parentId) row.dataset.parent = node.parentId;
            rows.set(node.id, row);
        }
        row.dataset.status = node.status;
        row.dataset.depth = depth;
        row.className = 'task' + (node.runaway ? ' runaway' : '') + (node.id === selected ? ' selected' : '');
        const [name, status, age, attempts, progress, actions] = row.cells;
        name.style.paddingLeft = (0.4 + depth * 1.2) + 'em';
        const toggle = name.querySelector('.toggle');
        const open = isOpen(node, depth);
        toggle.style.visibility = node.childCount > 0 ? 'visible' : 'hidden';
        setText(toggle, open ? '▾' : '▸');
        toggle.setAttribute('aria-label', open ? 'collapse' : 'expand');
        setText(name.querySelector('.name'), node.name);
        setText(name.querySelector('.id'), '#' + node.id);
        name.querySelector('.runaway').hidden = !node.runaway;
        setText(name.querySelector('.children'), node.childCount ? childSummary(node) : '');
        const badge = status.firstChild;
        badge.className = 'status ' + node.status;
        setText(badge, node.status);
        setText(age, duration(Date.now() - Date.parse(node.createdAt)));
        setText(attempts, String(node.attempts));
        setText(progress, progressText(node.progress));
        actions.firstChild.hidden = !(canCancel && !TERMINAL.has(node.status));
        return row;
    }

    function setText(node, text) {
        if (node.textContent !== text) node.textContent = text;
    }

    function moreRow(node) {
        const row = reuse('more:' + node.id, 1);
        row.className = 'more';
        row.cells[0].colSpan = 6;
        const hidden = node.childCount - node.children.length;
        row.cells[0].textContent = `… ${hidden.toLocaleString()} more children of #${node.id} not listed`
            + ` (all ${node.childCount.toLocaleString()}: ${statusCounts(node.childStatuses)})`;
        return row;
    }

    function rootsMoreRow(count) {
        const row = reuse('more:roots', 1);
        row.className = 'more';
        row.cells[0].colSpan = 6;
        row.cells[0].textContent = `… ${count.toLocaleString()} more live trees not listed (the oldest ${LIMIT} are shown)`;
        return row;
    }

    function childSummary(node) {
        return `${node.childCount} children: ${statusCounts(node.childStatuses)}`;
    }

    function statusCounts(counts) {
        return Object.entries(counts || {}).map(([status, n]) => `${status} ${n.toLocaleString()}`).join(' · ');
    }

    function progressText(progress) {
        const entries = Object.entries(progress || {});
        return entries.map(([key, value]) => `${key} ${value.toLocaleString()}`).join(' · ');
    }

    $('tree').addEventListener('click', (event) => {
        const row = event.target.closest('tr.task');
        if (!row) return;
        const id = row.dataset.id;
        if (event.target.closest('button.cancel')) {
            cancel(id);
        } else if (event.target.closest('button.toggle')) {
            const set = row.dataset.depth === '0' ? collapsed : expanded;
            if (set.has(id)) set.delete(id); else set.add(id);
            refreshSoon();
            if (set === expanded && set.has(id)) pollSoon();
        } else {
            selected = id;
            refreshSoon();
        }
    });

    // ---- cancel ---------------------------------------------------------------------------------------

    // What the click did, in words: sent and accepted, too late, refused, or never answered (the task may still run).
    async function cancel(id) {
        let message, ok = false;
        try {
            const { response } = await request(config.tasks + '/' + encodeURIComponent(id), { method: 'DELETE' });
            ok = response.ok;
            message = response.ok ? `cancel requested for ${id}`
                : response.status === 404 ? `${id} has already finished`
                : [401, 403, 405].includes(response.status)
                    ? `cancel of ${id} refused (${response.status}): the asynctasks endpoint is read-only for you`
                : `cancel of ${id} failed: the server answered ${response.status}; the task may still be running`;
        } catch (error) {
            message = `cancel of ${id} failed: ${error.message}; the task may still be running`;
        }
        notice(message, ok);
        refreshSoon();
    }

    function notice(message, ok) {
        $('notice').hidden = false;
        $('notice').className = ok ? 'ok' : 'refused';
        $('notice').textContent = message;
    }

    // Re-draws the tree at once from the last answer (the next poll brings the selected task's detail).
    function refreshSoon() {
        if (lastTasks) renderTree(lastTasks);
    }

    // ---- groups: limit, in flight and queued over the last minutes -------------------------------------

    // The first answer carries the groups' samples of the last five minutes (when the server keeps them).
    function seed(serverHistory) {
        for (const [group, samples] of Object.entries(serverHistory || {})) {
            history.set(group, samples.map((s) => ({ t: s.epochMillis, limit: s.limit, inFlight: s.inFlight, queued: s.queued })));
        }
        seeded = true;
    }

    function renderGroups(groups) {
        const now = Date.now();
        const names = Object.keys(groups || {});
        $('no-groups').hidden = names.length > 0;
        for (const name of names) {
            const g = groups[name];
            const samples = history.get(name) || [];
            samples.push({ t: now, limit: g.limit, inFlight: g.inFlight, queued: g.queued });
            while (samples.length && samples[0].t < now - HISTORY_MS) samples.shift();
            history.set(name, samples);
            let card = document.querySelector(`.group[data-group="${CSS.escape(name)}"]`);
            if (!card) {
                card = el('div', { class: 'group', 'data-group': name },
                    el('h3', {}, name), el('canvas', { width: 360, height: 120 }), el('p', { class: 'legend' }));
                $('charts').append(card);
            }
            card.dataset.limit = g.limit;
            card.dataset.inflight = g.inFlight;
            card.dataset.queued = g.queued;
            card.dataset.samples = samples.length;
            card.querySelector('.legend').replaceChildren(
                el('span', { class: 'limit' }, `limit ${g.limit}`), ' · ',
                el('span', { class: 'inflight' }, `in flight ${g.inFlight}`), ' · ',
                el('span', { class: 'queued' }, `queued ${g.queued}`), ' · ',
                `${g.algorithm.toLowerCase()} ${g.phase.toLowerCase()}, rejected ${g.rejected}`
                + (g.saturated ? ' · saturated' : ''));
            draw(card.querySelector('canvas'), samples, now);
        }
    }

    // The x axis spans from the oldest sample kept to now: at least a minute, at most HISTORY_MS.
    function draw(canvas, samples, now) {
        const ctx = canvas.getContext('2d');
        const w = canvas.width, h = canvas.height, pad = 4;
        ctx.clearRect(0, 0, w, h);
        const span = Math.min(HISTORY_MS, Math.max(60000, samples.length ? now - samples[0].t : 0));
        const top = Math.max(1, ...samples.map((s) => Math.max(s.limit, s.inFlight, s.queued)));
        ctx.fillStyle = '#888';
        ctx.font = '10px sans-serif';
        ctx.fillText(String(top), pad, 10);
        ctx.fillText(`last ${Math.round(span / 1000)} s`, pad, h - pad);
        const series = [['limit', '#1f6feb'], ['inFlight', '#2da44e'], ['queued', '#d1242f']];
        for (const [key, colour] of series) {
            ctx.strokeStyle = colour;
            ctx.lineWidth = 1.5;
            ctx.beginPath();
            samples.forEach((s, i) => {
                const x = pad + (w - 2 * pad) * (1 - (now - s.t) / span);
                const y = h - pad - (h - 2 * pad - 12) * (s[key] / top);
                if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
            });
            ctx.stroke();
        }
    }

    // ---- members: each member's groups and live trees; placed work under the task that placed it -------

    function renderMembers(members, groupsByMember, forest) {
        $('members').hidden = !members;
        if (!members) return;
        const loads = el('tbody');
        for (const member of members) {
            const groups = isolated(Object.entries((groupsByMember || {})[member.member] || {}).map(([name, g]) =>
                `${name} ${g.inFlight}/${g.limit}` + (g.queued ? ` +${g.queued} queued` : '')
                + (g.clusterLimit ? ` (share of ${g.clusterLimit} over ${g.members})` : '')), ' · ');
            loads.append(el('tr', { class: 'member', 'data-member': member.member },
                el('td', {}, member.member, ...(member.local ? [' ', el('span', { class: 'badge' }, 'this member')] : [])),
                el('td', { class: 'trees' }, String(member.live.length)),
                el('td', { class: 'member-groups' }, ...groups)));
        }
        $('member-loads').tBodies[0].replaceWith(loads);

        // the cluster's live trees as the endpoint stitched them: a placed task is a child of the task that
        // placed it, after that task's own children, labelled with the member it runs on
        const body = el('tbody');
        const stack = [];
        const roots = forest || [];
        for (let i = roots.length - 1; i >= 0; i--) stack.push({ node: roots[i], depth: 0 });
        while (stack.length) {
            const { node, depth } = stack.pop();
            const task = node.task;
            const from = (task.tags || {})['placed-from'];
            const placed = node.children.find((child) => child.member !== node.member);
            const note = placed ? `runs on ${placed.member} as #${placed.task.id}`
                : from ? `placed from ${from.replace('/', ' by #')}` : '';
            const row = el('tr', { class: 'task', 'data-id': task.id, 'data-member': node.member },
                el('td', { style: `padding-left: ${0.4 + depth * 1.2}em` }, el('span', { class: 'name' }, task.name),
                    el('span', { class: 'id' }, '#' + task.id)),
                el('td', { class: 'member' }, node.member),
                el('td', {}, el('span', { class: 'status ' + task.status }, task.status)),
                el('td', { class: 'placement' }, note));
            if (task.id === selected) row.classList.add('selected');
            body.append(row);
            for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1 });
        }
        $('member-trees').tBodies[0].replaceWith(body);
    }

    $('member-trees').addEventListener('click', (event) => {
        const row = event.target.closest('tr.task');
        if (row) { selected = row.dataset.id; refreshSoon(); }
    });

    // ---- recent and failed ------------------------------------------------------------------------------

    function renderFinished(table, tasks) {
        const body = el('tbody');
        for (const task of tasks) {
            const ended = task.completedAt ? new Date(task.completedAt).toLocaleTimeString() : '';
            const took = task.completedAt ? duration(Date.parse(task.completedAt) - Date.parse(task.createdAt)) : '';
            const row = el('tr', { class: 'task', 'data-id': task.id },
                el('td', {}, el('span', { class: 'name' }, task.name), el('span', { class: 'id' }, '#' + task.id),
                    ...(task.runaway ? [el('span', { class: 'badge runaway', title: 'ended, but its body ignores its interrupt and still runs' }, 'runaway')] : [])),
                el('td', {}, el('span', { class: 'status ' + task.status }, task.status)),
                el('td', {}, ended), el('td', {}, took),
                el('td', { class: 'failure' }, task.failure ? `${task.failure.type}: ${task.failure.message}` : ''));
            body.append(row);
        }
        table.tBodies[0].replaceWith(body);
    }

    for (const table of [$('recent'), $('failed')]) {
        table.addEventListener('click', (event) => {
            const row = event.target.closest('tr.task');
            if (row) { selected = row.dataset.id; refreshSoon(); }
        });
    }

    // ---- one task's detail ------------------------------------------------------------------------------

    function renderDetail(task) {
        $('detail').hidden = !selected;
        if (!selected) return;
        // names in spans of their own (.name isolates them): a right-to-left override in one cannot reorder the id
        $('detail-title').replaceChildren(...(task ? [el('span', { class: 'name' }, task.name), '#' + task.id]
            : [`#${selected} (no longer known)`]));
        const fields = $('detail-fields');
        fields.replaceChildren();
        $('detail-resources').tBodies[0].replaceChildren();
        $('detail-cancel').hidden = !(task && canCancel && !TERMINAL.has(task.status));
        if (!task) return;
        const add = (label, value) => {
            if (value === null || value === undefined || value === '' || value.length === 0) return;
            fields.append(el('dt', {}, label), el('dd', { 'data-field': label }, ...(Array.isArray(value) ? value : [String(value)])));
        };
        // each name of the path (name#id/name#id) isolated: names hold neither '/' nor '#'
        add('path', task.path.split('/').flatMap((step, i) => {
            const hash = step.lastIndexOf('#');
            const parts = hash < 0 ? [step] : [el('bdi', {}, step.slice(0, hash)), step.slice(hash)];
            return i ? ['/', ...parts] : parts;
        }));
        add('status', task.status + (task.runaway ? ' (runaway: its body still runs)' : ''));
        add('priority', task.priority);
        add('group', task.group);
        add('runtime', task.runtime);
        add('created', task.createdAt);
        add('started', task.startedAt);
        add('completed', task.completedAt);
        add('queued for', duration(task.queueWaitMs));
        add('ran for', duration(task.runTimeMs));
        add('attempts', task.attempts);
        add('failure', task.failure ? `${task.failure.type}: ${task.failure.message}` : null);
        add('progress', progressText(task.progress));
        add('children', task.childCount ? childSummary(task) : null);
        add('waits for', task.dependencies.join(', '));
        add('tags', isolated(Object.entries(task.tags || {}).map(([k, v]) => `${k}=${v}`), ', '));
        for (const [figure, value] of Object.entries(task.resources || {})) {
            $('detail-resources').tBodies[0].append(el('tr', {}, el('td', {}, figure),
                el('td', {}, value.amount < 0 ? '—' : value.amount.toLocaleString()), el('td', {}, value.source)));
        }
    }

    // Users' texts, each in a <bdi> of its own, between separators: a right-to-left override in one of them
    // (U+202E) cannot reorder the others.
    function isolated(texts, separator) {
        return texts.flatMap((text, i) => i ? [separator, el('bdi', {}, text)] : [el('bdi', {}, text)]);
    }

    $('detail-cancel').addEventListener('click', () => selected && cancel(selected));
    $('detail-close').addEventListener('click', () => { selected = null; $('detail').hidden = true; });

    function duration(ms) {
        if (!(ms >= 0)) return '';
        if (ms < 1000) return Math.round(ms) + ' ms';
        if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
        if (ms < 3600000) return Math.floor(ms / 60000) + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
        return Math.floor(ms / 3600000) + ' h ' + Math.round((ms % 3600000) / 60000) + ' min';
    }

    poll();
})();
