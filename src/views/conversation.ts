/**
 * Views of one connection's messages in order. Some meaning lives across messages: a Socket.IO
 * BINARY_EVENT announces that its binary arguments follow as the next binary messages from the same side;
 * an MQTT packet may end in the next message ([MQTT-6.0.0-2]); the MQTT protocol level is said once, in
 * CONNECT; an Engine.IO connection is recognised once and its bare "2" / "3" are pings and pongs from then
 * on. This keeps those few facts per direction (counters, never payload bytes) and hands them to
 * `describeMessage`'s renderers.
 */
import type { Direction } from '../events/index.js';
import type { MqttLevel, ViewState } from './context.js';
import { renderMessage, resolveLimits, type DescribeOptions } from './describe.js';
import { eioFromPath } from './socketio.js';
import type { MessageInput, MessageView, ViewLimits } from './types.js';

export interface ConversationOpen {
  /** `open.subprotocol`. */
  subprotocol: string | null;
  /** `open.path`. */
  path?: string | null;
}

export type ConversationMessage = Omit<MessageInput, 'subprotocol' | 'path' | 'dir'> & { dir: Direction };

interface DirectionState {
  attachments?: { count: number; seen: number; packet: string };
  /** Bytes of an MQTT packet still to come; null when the split could not be followed. */
  mqttPending: number | null;
}

export class ConversationViews {
  readonly #open: ConversationOpen;
  readonly #limits: ViewLimits;
  #eio: 3 | 4 | undefined;
  #mqttLevel: MqttLevel | undefined;
  #engineIo = false;
  readonly #dirs: Record<Direction, DirectionState> = {
    'client->server': { mqttPending: 0 },
    'server->client': { mqttPending: 0 },
  };

  constructor(open: ConversationOpen, options: DescribeOptions = {}) {
    this.#open = open;
    this.#limits = resolveLimits(options.limits);
    this.#eio = eioFromPath(open.path);
  }

  describe(message: ConversationMessage): MessageView {
    // A JavaScript caller may pass anything as `dir`: what is not server->client is read as client->server.
    const side = this.#dirs[message.dir === 'server->client' ? 'server->client' : 'client->server'];
    const state: ViewState = {};
    if (this.#eio !== undefined) state.eio = this.#eio;
    if (this.#mqttLevel !== undefined) state.mqttLevel = this.#mqttLevel;
    if (this.#engineIo) state.known = 'engine.io';
    const data = message.kind === 'text' || message.kind === 'binary';
    if (data && side.attachments) {
      if (message.kind === 'binary') {
        state.attachment = { index: side.attachments.seen, count: side.attachments.count, packet: side.attachments.packet };
        side.attachments.seen++;
        if (side.attachments.seen >= side.attachments.count) delete side.attachments;
      } else {
        // A text packet before every attachment arrived: the announced ones are not coming.
        delete side.attachments;
      }
    }
    if (data && side.mqttPending !== null && side.mqttPending > 0) state.mqttCarry = side.mqttPending;

    const rendered = renderMessage({ ...message, subprotocol: this.#open.subprotocol, path: this.#open.path ?? null }, state, this.#limits);
    const { view, facts } = rendered;
    if (view.protocol === 'engine.io' || view.protocol === 'socket.io') this.#engineIo = true;
    if (facts?.eio !== undefined && this.#eio === undefined) this.#eio = facts.eio;
    if (facts?.attachments) side.attachments = { ...facts.attachments, seen: 0 };
    if (facts?.mqttLevel !== undefined) this.#mqttLevel = facts.mqttLevel;
    if (data) {
      if (facts && 'mqttPending' in facts) side.mqttPending = facts.mqttPending ?? null;
      else if (state.mqttCarry !== undefined) side.mqttPending = null;
    }
    return view;
  }
}
