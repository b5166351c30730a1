import {
  ApartmentOutlined,
  AuditOutlined,
  CheckSquareOutlined,
  HomeOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import type { ComponentType, ReactNode } from 'react';
import type { Permission } from '../domain/permissions';
import { AuditPage } from './pages/AuditPage';
import { HomePage } from './pages/HomePage';
import { OrgPage } from './pages/OrgPage';
import { RolesPage } from './pages/RolesPage';
import { UsersPage } from './pages/UsersPage';
import { WorkItemsPage } from './pages/WorkItemsPage';

export interface NavItem {
  path: string;
  label: 'home' | 'workItems' | 'org' | 'users' | 'roles' | 'audit';
  icon: ReactNode;
  page: ComponentType;
  /** The menu entry is shown, and the page opened, only to users holding it. */
  permission?: Permission;
}

/** The signed-in pages: one list feeds both the menu and the routes, so they cannot disagree. */
export const NAV_ITEMS: NavItem[] = [
  { path: '/', label: 'home', icon: <HomeOutlined />, page: HomePage },
  {
    path: '/work-items',
    label: 'workItems',
    icon: <CheckSquareOutlined />,
    page: WorkItemsPage,
    permission: 'work-item.read',
  },
  { path: '/org', label: 'org', icon: <ApartmentOutlined />, page: OrgPage, permission: 'org.read' },
  { path: '/users', label: 'users', icon: <TeamOutlined />, page: UsersPage, permission: 'user.read' },
  {
    path: '/roles',
    label: 'roles',
    icon: <SafetyCertificateOutlined />,
    page: RolesPage,
    permission: 'user.read',
  },
  { path: '/audit', label: 'audit', icon: <AuditOutlined />, page: AuditPage, permission: 'audit.read' },
];
