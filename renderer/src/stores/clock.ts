/** One shared one-second tick for every countdown on screen (not one timer per card). */
import { create } from 'zustand';

export const useNow = create<{ now: number }>(() => ({ now: Date.now() }));
setInterval(() => useNow.setState({ now: Date.now() }), 1000);
