"use client";

/**
 * Notifications, in one place: every write (lib/hooks/useWrite.ts) reports progress, success and
 * failure here. A toast may carry one action (e.g. "Switch network").
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";

export type ToastKind = "info" | "success" | "error" | "pending";

export interface ToastInput {
  kind: ToastKind;
  title: string;
  message?: string;
  action?: { label: string; onClick: () => void };
  /** Milliseconds until it goes away by itself; 0 = stays until dismissed or replaced. */
  durationMs?: number;
}

interface Toast extends ToastInput {
  id: number;
}

interface ToastApi {
  /** Show a toast; returns its id (to update or dismiss it later). */
  show(toast: ToastInput): number;
  update(id: number, toast: ToastInput): void;
  dismiss(id: number): void;
}

const ToastContext = createContext<ToastApi | null>(null);

const DEFAULT_DURATION: Record<ToastKind, number> = { info: 5000, success: 5000, error: 12000, pending: 0 };

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  }, []);

  const schedule = useCallback(
    (id: number, toast: ToastInput) => {
      const old = timers.current.get(id);
      if (old) clearTimeout(old);
      const ms = toast.durationMs ?? DEFAULT_DURATION[toast.kind];
      if (ms > 0) timers.current.set(id, setTimeout(() => dismiss(id), ms));
    },
    [dismiss],
  );

  const show = useCallback(
    (toast: ToastInput) => {
      const id = nextId.current++;
      setToasts((list) => [...list.slice(-4), { ...toast, id }]);
      schedule(id, toast);
      return id;
    },
    [schedule],
  );

  const update = useCallback(
    (id: number, toast: ToastInput) => {
      setToasts((list) => (list.some((t) => t.id === id) ? list.map((t) => (t.id === id ? { ...toast, id } : t)) : [...list, { ...toast, id }]));
      schedule(id, toast);
    },
    [schedule],
  );

  const api = useMemo(() => ({ show, update, dismiss }), [show, update, dismiss]);

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div
        aria-live="polite"
        className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-[min(24rem,calc(100vw-2rem))] flex-col gap-2"
      >
        {toasts.map((t) => (
          <ToastView key={t.id} toast={t} onDismiss={() => dismiss(t.id)} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

const STYLES: Record<ToastKind, { box: string; icon: string; symbol: string }> = {
  info: { box: "border-slate-200", icon: "bg-slate-100 text-slate-600", symbol: "i" },
  pending: { box: "border-sky-200", icon: "bg-sky-100 text-sky-700 animate-pulse", symbol: "…" },
  success: { box: "border-emerald-200", icon: "bg-emerald-100 text-emerald-700", symbol: "✓" },
  error: { box: "border-rose-200", icon: "bg-rose-100 text-rose-700", symbol: "!" },
};

function ToastView({ toast, onDismiss }: { toast: Toast; onDismiss: () => void }) {
  const style = STYLES[toast.kind];
  return (
    <div
      role={toast.kind === "error" ? "alert" : "status"}
      data-toast={toast.kind}
      className={`pointer-events-auto flex gap-3 rounded-xl border bg-white p-3 shadow-lg ${style.box}`}
    >
      <span className={`mt-0.5 flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-sm font-bold ${style.icon}`}>
        {style.symbol}
      </span>
      <div className="min-w-0 flex-1">
        <p className="text-sm font-semibold text-slate-900">{toast.title}</p>
        {toast.message && <p className="mt-0.5 text-sm break-words text-slate-600">{toast.message}</p>}
        {toast.action && (
          <button
            type="button"
            className="btn btn-secondary btn-small mt-2"
            onClick={() => {
              toast.action?.onClick();
              onDismiss();
            }}
          >
            {toast.action.label}
          </button>
        )}
      </div>
      <button type="button" aria-label="Dismiss" className="h-6 w-6 shrink-0 rounded text-slate-400 hover:text-slate-700" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}

export function useToasts(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToasts must be used inside <ToastProvider>");
  return api;
}
