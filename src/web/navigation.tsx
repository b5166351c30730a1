import {
  ApartmentOutlined,
  AuditOutlined,
  BankOutlined,
  CheckSquareOutlined,
  ExperimentOutlined,
  FileDoneOutlined,
  HomeOutlined,
  IdcardOutlined,
  SafetyCertificateOutlined,
  ScanOutlined,
  ScheduleOutlined,
  TagsOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import type { ComponentType, ReactNode } from 'react';
import type { Permission } from '../domain/permissions';
import { AuditPage } from './pages/AuditPage';
import { HomePage } from './pages/HomePage';
import { KeyGroupsPage } from './pages/KeyGroupsPage';
import { KeyGroupTestingPage } from './pages/KeyGroupTestingPage';
import { LabResultsPage } from './pages/LabResultsPage';
import { LabsPage } from './pages/LabsPage';
import { OrgPage } from './pages/OrgPage';
import { ResidentDetailPage } from './pages/ResidentDetailPage';
import { ResidentImportPage } from './pages/ResidentImportPage';
import { ResidentsPage } from './pages/ResidentsPage';
import { RolesPage } from './pages/RolesPage';
import { SamplingPage } from './pages/SamplingPage';
import { TestingRoundPage } from './pages/TestingRoundPage';
import { TestingRoundsPage } from './pages/TestingRoundsPage';
import { UsersPage } from './pages/UsersPage';
import { WorkItemsPage } from './pages/WorkItemsPage';

export interface PageRoute {
  path: string;
  page: ComponentType;
  /** The menu entry is shown, and the page opened, only to users holding it. */
  permission?: Permission;
}

export interface NavItem extends PageRoute {
  label:
    | 'home'
    | 'workItems'
    | 'residents'
    | 'keyGroups'
    | 'sampling'
    | 'testing'
    | 'lab'
    | 'labs'
    | 'keyGroupTesting'
    | 'org'
    | 'users'
    | 'roles'
    | 'audit';
  icon: ReactNode;
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
  {
    path: '/residents',
    label: 'residents',
    icon: <IdcardOutlined />,
    page: ResidentsPage,
    permission: 'resident.read',
  },
  // Everyone who sees residents may read the classes; editing them is key-group.write, on the page.
  {
    path: '/key-groups',
    label: 'keyGroups',
    icon: <TagsOutlined />,
    page: KeyGroupsPage,
    permission: 'resident.read',
  },
  {
    path: '/sampling',
    label: 'sampling',
    icon: <ScanOutlined />,
    page: SamplingPage,
    permission: 'sampling.scan',
  },
  {
    path: '/testing',
    label: 'testing',
    icon: <ExperimentOutlined />,
    page: TestingRoundsPage,
    permission: 'testing.read',
  },
  { path: '/lab', label: 'lab', icon: <FileDoneOutlined />, page: LabResultsPage, permission: 'lab.results' },
  { path: '/labs', label: 'labs', icon: <BankOutlined />, page: LabsPage, permission: 'testing.manage' },
  {
    path: '/key-group-testing',
    label: 'keyGroupTesting',
    icon: <ScheduleOutlined />,
    page: KeyGroupTestingPage,
    permission: 'resident.read',
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

/** Pages opened from a menu page rather than from the menu; the menu marks their parent entry. */
export const SUB_PAGES: PageRoute[] = [
  { path: '/residents/import', page: ResidentImportPage, permission: 'resident.import' },
  { path: '/residents/:id', page: ResidentDetailPage, permission: 'resident.read' },
  { path: '/testing/:id', page: TestingRoundPage, permission: 'testing.read' },
];
