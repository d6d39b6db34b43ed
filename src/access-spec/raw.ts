import type { Visibility } from '../github/destinations.js';
import type { SecretType, UserType, WarehouseSize, WarehouseType } from './model.js';
import type { ObjectKind } from './snowflake-catalog.js';

// The shapes the schema guarantees once it has validated the document.
export interface RawSpec {
  version: 1;
  databases?: { name: string; comment?: string; schemas?: string[] }[];
  warehouses?: {
    name: string;
    size?: WarehouseSize;
    type?: WarehouseType;
    auto_suspend?: number | null;
    auto_resume?: boolean;
    comment?: string;
  }[];
  network_policies?: {
    name: string;
    allowed_ip_list?: string[];
    blocked_ip_list?: string[];
    comment?: string;
  }[];
  roles?: {
    name: string;
    comment?: string;
    privileges?: { on: ObjectKind; name?: string; privileges: string[] }[];
    roles?: string[];
  }[];
  users?: RawUser[];
  secrets?: {
    name: string;
    type: SecretType;
    comment?: string;
    grants?: { role: string; privileges: string[] }[];
  }[];
}

export type RawKeySecret = NonNullable<RawUser['key']>['secret'];

export interface RawUser {
  name: string;
  type: UserType;
  default_role?: string;
  default_warehouse?: string;
  default_namespace?: string;
  roles?: string[];
  network_policy?: string;
  comment?: string;
  workload_identity?: { issuer: string; subject: string; audiences?: string[] };
  key?: {
    secret: {
      name: string;
      repository?: string | string[];
      environment?: string | string[];
      organization?: string;
      visibility?: Visibility;
      selected_repositories?: string[];
    };
    max_age?: string;
  };
}
